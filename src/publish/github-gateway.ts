import type { ProbotOctokit } from "probot";

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface IssueRef extends RepoRef {
  number: number;
}

export type RepoRole = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface PullRequestRef {
  number: number;
  url: string;
  draft: boolean;
}

export interface PullRequestFields {
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
}

/** Hidden marker that identifies the one status comment the app keeps per issue. */
export const STATUS_MARKER = "<!-- magic-pr:status -->";

/** Everything a run needs from GitHub, so tests can see each request and production uses Octokit. */
export interface GitHubGateway {
  getRole(repo: RepoRef, username: string): Promise<RepoRole>;
  addReaction(issue: IssueRef, content: "eyes"): Promise<void>;
  createComment(issue: IssueRef, body: string): Promise<number>;
  /** Edits the comment that carries {@link STATUS_MARKER}, or creates it; returns its id. */
  ensureStatusComment(issue: IssueRef, body: string, knownCommentId?: number): Promise<number>;
  findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestRef | undefined>;
  createPullRequest(repo: RepoRef, fields: PullRequestFields): Promise<PullRequestRef>;
  updatePullRequest(repo: RepoRef, number: number, fields: Pick<PullRequestFields, "title" | "body">): Promise<void>;
  /** A short-lived installation token for git; callers must not store or log it. */
  installationToken(): Promise<string>;
}

/** GitHub's limit on the body of an issue comment or pull request. */
export const MAX_BODY_LENGTH = 65_536;

/** Cuts a body to GitHub's limit and says so, because a longer body fails the whole request. */
export function fitBody(body: string): string {
  if (body.length <= MAX_BODY_LENGTH) return body;
  const note = "\n\n_(truncated: the text was longer than GitHub allows)_";
  return body.slice(0, MAX_BODY_LENGTH - note.length) + note;
}

export class OctokitGateway implements GitHubGateway {
  constructor(
    private readonly octokit: ProbotOctokit,
    private readonly appId: number,
  ) {}

  async getRole(repo: RepoRef, username: string): Promise<RepoRole> {
    const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    const role = (data as { role_name?: string }).role_name ?? data.permission;
    return (["admin", "maintain", "write", "triage", "read"].includes(role) ? role : "none") as RepoRole;
  }

  async addReaction(issue: IssueRef, content: "eyes"): Promise<void> {
    await this.octokit.rest.reactions.createForIssue({ owner: issue.owner, repo: issue.repo, issue_number: issue.number, content });
  }

  async createComment(issue: IssueRef, body: string): Promise<number> {
    const { data } = await this.octokit.rest.issues.createComment({
      owner: issue.owner,
      repo: issue.repo,
      issue_number: issue.number,
      body: fitBody(body),
    });
    return data.id;
  }

  async ensureStatusComment(issue: IssueRef, body: string, knownCommentId?: number): Promise<number> {
    const commentId = knownCommentId ?? (await this.findStatusComment(issue));
    if (commentId === undefined) return this.createComment(issue, body);
    await this.octokit.rest.issues.updateComment({ owner: issue.owner, repo: issue.repo, comment_id: commentId, body: fitBody(body) });
    return commentId;
  }

  private async findStatusComment(issue: IssueRef): Promise<number | undefined> {
    const comments = this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
      owner: issue.owner,
      repo: issue.repo,
      issue_number: issue.number,
      per_page: 100,
    });
    for await (const page of comments) {
      const ours = page.data.find(
        (comment) => comment.performed_via_github_app?.id === this.appId && comment.body?.includes(STATUS_MARKER),
      );
      if (ours) return ours.id;
    }
    return undefined;
  }

  async findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestRef | undefined> {
    const { data } = await this.octokit.rest.pulls.list({ ...repo, state: "open", head: `${repo.owner}:${branch}`, per_page: 1 });
    const pull = data[0];
    return pull ? { number: pull.number, url: pull.html_url, draft: pull.draft ?? false } : undefined;
  }

  async createPullRequest(repo: RepoRef, fields: PullRequestFields): Promise<PullRequestRef> {
    const { data } = await this.octokit.rest.pulls.create({ ...repo, ...fields, body: fitBody(fields.body) });
    return { number: data.number, url: data.html_url, draft: data.draft ?? false };
  }

  async updatePullRequest(repo: RepoRef, number: number, fields: Pick<PullRequestFields, "title" | "body">): Promise<void> {
    await this.octokit.rest.pulls.update({ ...repo, pull_number: number, title: fields.title, body: fitBody(fields.body) });
  }

  async installationToken(): Promise<string> {
    const auth = (await this.octokit.auth({ type: "installation" })) as { token: string };
    return auth.token;
  }
}
