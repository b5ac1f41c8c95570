import { readFile, stat } from "node:fs/promises";
import { ProbotOctokit } from "probot";
import { LocalRunError } from "./errors.js";

/** The issue a local run works on, from text, a file or GitHub. */
export interface LocalIssue {
  /** The GitHub issue number, when the issue came from GitHub. */
  number?: number;
  title: string;
  body: string;
  /** Origin of the issue: `text`, a file path or the issue's URL. */
  source: string;
}

const ISSUE_URL = /^https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\/issues\/(\d+)\/?$/;

export interface IssueSourceOptions {
  /** Token sent to the GitHub REST API for a private repository's issue. */
  token?: string;
  /** Base URL of the GitHub REST API; defaults to https://api.github.com. */
  apiUrl?: string;
}

/**
 * Reads `--issue`: a GitHub issue URL is fetched from the REST API, an existing file is read, and
 * any other value is the issue text itself. The first line of a file or text becomes the title.
 */
export async function readIssue(value: string, options: IssueSourceOptions = {}): Promise<LocalIssue> {
  const url = ISSUE_URL.exec(value.trim());
  if (url) return fetchIssue(url[1] as string, url[2] as string, Number(url[3]), options);
  if (/^https?:\/\//.test(value.trim())) {
    throw new LocalRunError("invalid-option", `--issue ${value} is not a GitHub issue URL: expected https://github.com/OWNER/REPO/issues/NUMBER, a file path or the issue text.`);
  }
  const text = (await isFile(value)) ? await readFile(value, "utf8") : value;
  if (text.trim() === "") throw new LocalRunError("invalid-option", `--issue ${value === "" ? '""' : value} is empty: give the issue text, a file that contains it or a GitHub issue URL.`);
  return issueFromText(text, text === value ? "text" : value);
}

async function isFile(value: string): Promise<boolean> {
  if (value.includes("\n") || value.length > 4_096) return false;
  try {
    return (await stat(value)).isFile();
  } catch {
    return false;
  }
}

/** Makes an issue of text: its first line, without a markdown heading mark, is the title and the rest the body. */
export function issueFromText(text: string, source: string): LocalIssue {
  const trimmed = text.trim();
  const newline = trimmed.indexOf("\n");
  const firstLine = newline === -1 ? trimmed : trimmed.slice(0, newline);
  return { title: firstLine.replace(/^#+\s*/, "").trim(), body: newline === -1 ? "" : trimmed.slice(newline + 1).trim(), source };
}

async function fetchIssue(owner: string, repo: string, issueNumber: number, options: IssueSourceOptions): Promise<LocalIssue> {
  const octokit = new ProbotOctokit({
    auth: options.token ? { token: options.token } : undefined,
    baseUrl: options.apiUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
  });
  const source = `https://github.com/${owner}/${repo}/issues/${issueNumber}`;
  try {
    const { data } = await octokit.rest.issues.get({ owner, repo, issue_number: issueNumber });
    return { number: issueNumber, title: data.title, body: data.body ?? "", source };
  } catch (error) {
    const status = (error as { status?: number }).status;
    const hint = status === 404 || status === 401 || status === 403 ? " Check the URL, and set GITHUB_TOKEN to a token that can read the repository when it is private." : "";
    throw new LocalRunError("issue-unavailable", `Reading the issue ${source} failed${status ? ` with HTTP ${status}` : ""}: ${(error as Error).message}.${hint}`, { cause: error });
  }
}
