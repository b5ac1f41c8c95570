import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { APP_ID, INSTALLATION_TOKEN } from "../helpers/github-api.js";
import { readBody } from "./read-body.js";

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface FakeComment {
  id: number;
  issue: string;
  body: string;
  byApp: boolean;
}

export interface FakePullRequest {
  number: number;
  repo: string;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  state: "open" | "closed";
}

export interface FakeGitHub {
  /** Base URL to give as GITHUB_API_URL. */
  url: string;
  requests: RecordedRequest[];
  /** Requests no route matched. A test fails when this is not empty. */
  unexpected: string[];
  comments: FakeComment[];
  pullRequests: FakePullRequest[];
  /** Every `POST /pulls` body, including ones GitHub would reject as duplicates. */
  pullRequestCreations: Array<{ repo: string; head: string }>;
  /** Config file content by `owner/repo`. Repositories without an entry have none. */
  configs: Map<string, string>;
  /** Installation ids whose token requests get 401 until removed. */
  failingInstallations: Set<number>;
  statusCommentOf(repo: string, issue: number): FakeComment | undefined;
  close(): Promise<void>;
}

type Handler = (match: RegExpMatchArray, request: { body: any; query: URLSearchParams }) => [number, unknown];

/**
 * A loopback server that speaks the parts of GitHub's REST API the app uses, keeps issues' comments
 * and pull requests in memory, and records every request. Child processes reach it through
 * GITHUB_API_URL, where nock cannot follow them. Like GitHub, it returns 422 for a second open pull
 * request with the same head.
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const state = {
    requests: [] as RecordedRequest[],
    unexpected: [] as string[],
    comments: [] as FakeComment[],
    pullRequests: [] as FakePullRequest[],
    pullRequestCreations: [] as Array<{ repo: string; head: string }>,
    configs: new Map<string, string>(),
    failingInstallations: new Set<number>(),
  };
  let nextCommentId = 1000;
  let nextPullNumber = 1;
  let nextCheckRunId = 1;

  const commentJson = (comment: FakeComment) => ({
    id: comment.id,
    body: comment.body,
    html_url: `https://github.com/${comment.issue}#issuecomment-${comment.id}`,
    user: comment.byApp ? { login: "magic-pr[bot]", type: "Bot" } : { login: "someone", type: "User" },
    performed_via_github_app: comment.byApp ? { id: APP_ID, slug: "magic-pr" } : null,
  });
  const pullJson = (pull: FakePullRequest) => ({
    number: pull.number,
    html_url: `https://github.com/${pull.repo}/pull/${pull.number}`,
    draft: pull.draft,
    state: pull.state,
    head: { ref: pull.head },
    base: { ref: pull.base },
    title: pull.title,
  });

  const routes: Array<[string, RegExp, Handler]> = [
    ["POST", /^\/app\/installations\/(\d+)\/access_tokens$/, ([, id]) => {
      if (state.failingInstallations.has(Number(id))) return [401, { message: "Bad credentials" }];
      return [201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} }];
    }],
    ["GET", /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/, ([, owner, repo]) => {
      const content = state.configs.get(`${owner}/${repo}`);
      return content === undefined ? [404, { message: "Not Found" }] : [200, content];
    }],
    ["GET", /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/, ([, , , user]) => [200, { permission: "write", role_name: "write", user: { login: user } }]],
    ["POST", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/reactions$/, () => [201, { id: 1, content: "eyes" }]],
    ["GET", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, ([, owner, repo, issue]) => [
      200,
      state.comments.filter((comment) => comment.issue === `${owner}/${repo}#${issue}`).map(commentJson),
    ]],
    ["POST", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, ([, owner, repo, issue], { body }) => {
      const comment: FakeComment = { id: nextCommentId++, issue: `${owner}/${repo}#${issue}`, body: String(body?.body), byApp: true };
      state.comments.push(comment);
      return [201, commentJson(comment)];
    }],
    ["PATCH", /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/, ([, , , id], { body }) => {
      const comment = state.comments.find((candidate) => candidate.id === Number(id));
      if (!comment) return [404, { message: "Not Found" }];
      comment.body = String(body?.body);
      return [200, commentJson(comment)];
    }],
    ["GET", /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, ([, owner, repo], { query }) => {
      const head = query.get("head")?.split(":").at(-1);
      const open = state.pullRequests.filter((pull) => pull.repo === `${owner}/${repo}` && pull.state === "open" && (!head || pull.head === head));
      return [200, open.map(pullJson)];
    }],
    ["POST", /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, ([, owner, repo], { body }) => {
      const repoName = `${owner}/${repo}`;
      state.pullRequestCreations.push({ repo: repoName, head: body.head });
      if (state.pullRequests.some((pull) => pull.repo === repoName && pull.head === body.head && pull.state === "open")) {
        return [422, { message: "Validation Failed", errors: [{ message: `A pull request already exists for ${owner}:${body.head}.` }] }];
      }
      const pull: FakePullRequest = { number: nextPullNumber++, repo: repoName, head: body.head, base: body.base, title: body.title, body: body.body, draft: Boolean(body.draft), state: "open" };
      state.pullRequests.push(pull);
      return [201, pullJson(pull)];
    }],
    ["PATCH", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, ([, owner, repo, number], { body }) => {
      const pull = state.pullRequests.find((candidate) => candidate.repo === `${owner}/${repo}` && candidate.number === Number(number));
      if (!pull) return [404, { message: "Not Found" }];
      pull.title = body.title ?? pull.title;
      pull.body = body.body ?? pull.body;
      return [200, pullJson(pull)];
    }],
    ["POST", /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/, (_match, { body }) => [201, { id: nextCheckRunId++, head_sha: body.head_sha, status: body.status }]],
    ["PATCH", /^\/repos\/([^/]+)\/([^/]+)\/check-runs\/(\d+)$/, ([, , , id], { body }) => [200, { id: Number(id), status: body.status, conclusion: body.conclusion }]],
  ];

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = decodeURIComponent(url.pathname);
    const text = await readBody(request);
    const body = text ? JSON.parse(text) : undefined;
    state.requests.push({ method: request.method ?? "", path, body });
    for (const [method, pattern, handler] of routes) {
      const match = request.method === method ? path.match(pattern) : null;
      if (!match) continue;
      const [status, payload] = handler(match, { body, query: url.searchParams });
      return send(response, status, payload);
    }
    state.unexpected.push(`${request.method} ${path}`);
    send(response, 404, { message: "Not Found (no route in the fake GitHub API)" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    statusCommentOf: (repo, issue) => state.comments.find((comment) => comment.issue === `${repo}#${issue}` && comment.body.includes("magic-pr:status")),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  if (typeof payload === "string") {
    response.writeHead(status, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" }).end(payload);
    return;
  }
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(payload));
}
