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

/** A pull request as intake needs it to decide whether a review is for the app. */
export interface PullRequestInfo extends PullRequestRef {
  state: string;
  locked: boolean;
  headRef: string;
  headSha: string;
  /** `owner/name` of the head repository; null when the fork was deleted. */
  headRepository: string | null;
}

export interface IssueInfo {
  number: number;
  title: string;
  body: string | null;
  state: string;
  locked: boolean;
}

/** An inline review comment in the fields of GitHub's REST API that the app reads. */
export interface RestReviewComment {
  id: number;
  pull_request_review_id: number | null;
  path: string;
  body: string;
  user: { login: string } | null;
  line?: number | null;
  start_line?: number | null;
  original_line?: number | null;
  diff_hunk: string;
  in_reply_to_id?: number;
  position?: number | null;
}

/** A comment the app wrote on an issue. */
export interface AppComment {
  id: number;
  body: string;
}

export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled";

export interface CheckRunFields {
  status: "in_progress" | "completed";
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
  detailsUrl?: string;
}

export type ReactionContent = "eyes" | "+1" | "confused" | "rocket";

/** Name of the check run the app keeps on its pull requests' head commits. */
export const CHECK_RUN_NAME = "Magic PR";

/** Hidden marker that identifies the one status comment the app keeps per issue. */
export const STATUS_MARKER = "<!-- magic-pr:status -->";

/** Everything a run needs from GitHub, so tests can see each request and production uses Octokit. */
export interface GitHubGateway {
  getRole(repo: RepoRef, username: string): Promise<RepoRole>;
  addReaction(issue: IssueRef, content: ReactionContent): Promise<void>;
  addCommentReaction(repo: RepoRef, commentId: number, content: ReactionContent): Promise<void>;
  createComment(issue: IssueRef, body: string): Promise<number>;
  /** Lists the comments this app wrote on an issue or pull request, oldest first. */
  listAppComments(issue: IssueRef): Promise<AppComment[]>;
  updateComment(repo: RepoRef, commentId: number, body: string): Promise<void>;
  /** Edits the comment that carries {@link STATUS_MARKER}, or creates it; returns its id. */
  ensureStatusComment(issue: IssueRef, body: string, knownCommentId?: number): Promise<number>;
  findOpenPullRequest(repo: RepoRef, branch: string): Promise<PullRequestRef | undefined>;
  createPullRequest(repo: RepoRef, fields: PullRequestFields): Promise<PullRequestRef>;
  updatePullRequest(repo: RepoRef, number: number, fields: Pick<PullRequestFields, "title" | "body">): Promise<void>;
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo>;
  getIssue(issue: IssueRef): Promise<IssueInfo>;
  /** Lists every inline review comment of a pull request, oldest first. */
  listReviewComments(repo: RepoRef, pullNumber: number): Promise<RestReviewComment[]>;
  /** Returns the ids of review comments in threads marked resolved. REST does not show this, so it uses GraphQL. */
  resolvedReviewCommentIds(repo: RepoRef, pullNumber: number): Promise<Set<number>>;
  replyToReviewComment(repo: RepoRef, pullNumber: number, commentId: number, body: string): Promise<void>;
  createCheckRun(repo: RepoRef, headSha: string, fields: CheckRunFields): Promise<number>;
  updateCheckRun(repo: RepoRef, checkRunId: number, fields: CheckRunFields): Promise<void>;
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

  async addReaction(issue: IssueRef, content: ReactionContent): Promise<void> {
    await this.octokit.rest.reactions.createForIssue({ owner: issue.owner, repo: issue.repo, issue_number: issue.number, content });
  }

  async addCommentReaction(repo: RepoRef, commentId: number, content: ReactionContent): Promise<void> {
    await this.octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content });
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
    const commentId = knownCommentId ?? (await this.listAppComments(issue)).find((comment) => comment.body.includes(STATUS_MARKER))?.id;
    if (commentId === undefined) return this.createComment(issue, body);
    await this.updateComment(issue, commentId, body);
    return commentId;
  }

  async listAppComments(issue: IssueRef): Promise<AppComment[]> {
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      owner: issue.owner,
      repo: issue.repo,
      issue_number: issue.number,
      per_page: 100,
    });
    return comments
      .filter((comment) => comment.performed_via_github_app?.id === this.appId)
      .map((comment) => ({ id: comment.id, body: comment.body ?? "" }));
  }

  async updateComment(repo: RepoRef, commentId: number, body: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({ owner: repo.owner, repo: repo.repo, comment_id: commentId, body: fitBody(body) });
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

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo> {
    const { data } = await this.octokit.rest.pulls.get({ ...repo, pull_number: number });
    return {
      number: data.number,
      url: data.html_url,
      draft: data.draft ?? false,
      state: data.state,
      locked: data.locked,
      headRef: data.head.ref,
      headSha: data.head.sha,
      headRepository: data.head.repo?.full_name ?? null,
    };
  }

  async getIssue(issue: IssueRef): Promise<IssueInfo> {
    const { data } = await this.octokit.rest.issues.get({ owner: issue.owner, repo: issue.repo, issue_number: issue.number });
    return { number: data.number, title: data.title, body: data.body ?? null, state: data.state, locked: data.locked };
  }

  async listReviewComments(repo: RepoRef, pullNumber: number): Promise<RestReviewComment[]> {
    return this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, { ...repo, pull_number: pullNumber, per_page: 100 });
  }

  async resolvedReviewCommentIds(repo: RepoRef, pullNumber: number): Promise<Set<number>> {
    const resolved = new Set<number>();
    let cursor: string | null = null;
    do {
      const page: ReviewThreadsPage = await this.octokit.graphql(REVIEW_THREADS_QUERY, { owner: repo.owner, repo: repo.repo, number: pullNumber, cursor });
      const threads = page.repository.pullRequest.reviewThreads;
      for (const thread of threads.nodes) {
        if (thread.isResolved) for (const comment of thread.comments.nodes) resolved.add(comment.databaseId);
      }
      cursor = threads.pageInfo.hasNextPage ? threads.pageInfo.endCursor : null;
    } while (cursor);
    return resolved;
  }

  async replyToReviewComment(repo: RepoRef, pullNumber: number, commentId: number, body: string): Promise<void> {
    await this.octokit.rest.pulls.createReplyForReviewComment({ ...repo, pull_number: pullNumber, comment_id: commentId, body: fitBody(body) });
  }

  async createCheckRun(repo: RepoRef, headSha: string, fields: CheckRunFields): Promise<number> {
    const { data } = await this.octokit.rest.checks.create({ ...repo, name: CHECK_RUN_NAME, head_sha: headSha, ...checkRunBody(fields) });
    return data.id;
  }

  async updateCheckRun(repo: RepoRef, checkRunId: number, fields: CheckRunFields): Promise<void> {
    await this.octokit.rest.checks.update({ ...repo, check_run_id: checkRunId, ...checkRunBody(fields) });
  }

  async installationToken(): Promise<string> {
    const auth = (await this.octokit.auth({ type: "installation" })) as { token: string };
    return auth.token;
  }
}

/** GitHub's limit on a check run's summary. */
const MAX_CHECK_SUMMARY_LENGTH = 65_535;

function checkRunBody(fields: CheckRunFields) {
  return {
    status: fields.status,
    ...(fields.conclusion ? { conclusion: fields.conclusion, completed_at: new Date().toISOString() } : {}),
    ...(fields.detailsUrl ? { details_url: fields.detailsUrl } : {}),
    output: { title: fields.title, summary: fitBody(fields.summary).slice(0, MAX_CHECK_SUMMARY_LENGTH) },
  };
}

const REVIEW_THREADS_QUERY = `query ($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        nodes { isResolved comments(first: 100) { nodes { databaseId } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

interface ReviewThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        nodes: Array<{ isResolved: boolean; comments: { nodes: Array<{ databaseId: number }> } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  };
}
