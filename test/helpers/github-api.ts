import nock from "nock";
import { STATUS_MARKER } from "../../src/publish/github-gateway.js";

export const GITHUB_API = "https://api.github.com";
export const APP_ID = 4242;
export const INSTALLATION_ID = 777;
/** Installation token the mocked GitHub hands out; tests assert it never lands on disk or in a comment. */
export const INSTALLATION_TOKEN = "ghs_testInstallationToken0123456789abcdef";

/**
 * Makes nock strict for api.github.com: every request must match a mock, and every mock must be used.
 * Call `verify()` after the test has finished its work.
 */
export function strictGitHub(): { api: nock.Scope; unmatched: string[]; verify(): void; reset(): void } {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
  const unmatched: string[] = [];
  const onNoMatch = (request: { method?: string; host?: string; hostname?: string; path?: string; href?: string }) => {
    const host = request.hostname ?? request.host ?? "";
    if (host.includes("127.0.0.1") || host.includes("localhost")) return;
    unmatched.push(`${request.method} ${request.href ?? `${host}${request.path}`}`);
  };
  nock.emitter.on("no match", onNoMatch);
  const api = nock(GITHUB_API);
  return {
    api,
    unmatched,
    verify() {
      if (unmatched.length > 0) throw new Error(`Unmatched GitHub requests:\n${unmatched.join("\n")}`);
      const pending = nock.pendingMocks();
      if (pending.length > 0) throw new Error(`Unused GitHub mocks:\n${pending.join("\n")}`);
    },
    reset() {
      nock.emitter.removeListener("no match", onNoMatch);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/**
 * Returns a new scope for api.github.com. Nock's `persist()` applies to a whole scope, so after
 * `mockInstallationToken` every mock on the strict scope matches any number of times. Mocks that
 * must match once each, such as those of one intake among several, go on a scope of their own.
 */
export function onceScope(): nock.Scope {
  return nock(GITHUB_API);
}

export function mockInstallationToken(api: nock.Scope): void {
  api
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} })
    .persist();
}

/** Mocks the config read: `content` is the raw `.github/magic.yml`, or undefined for no file anywhere. */
export function mockRepoConfig(api: nock.Scope, owner: string, repo: string, content: string | undefined): void {
  const filePath = `/repos/${owner}/${repo}/contents/.github%2Fmagic.yml`;
  if (content !== undefined) {
    api.get(filePath).reply(200, content, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" });
    return;
  }
  api.get(filePath).reply(404, { message: "Not Found" });
  api.get(`/repos/${owner}/.github/contents/.github%2Fmagic.yml`).reply(404, { message: "Not Found" });
}

export function mockRole(api: nock.Scope, owner: string, repo: string, username: string, role: string): void {
  // The legacy `permission` field folds maintain into write and triage into read.
  const legacy: Record<string, string> = { maintain: "write", triage: "read" };
  const permission = legacy[role] ?? role;
  api.get(`/repos/${owner}/${repo}/collaborators/${username}/permission`).reply(200, { permission, role_name: role, user: { login: username } });
}

/** A comment as GitHub returns it, made by this app when `byApp` is set. */
export function commentResponse(id: number, body: string, byApp = true): Record<string, unknown> {
  return {
    id,
    body,
    html_url: `https://github.com/o/r/issues/1#issuecomment-${id}`,
    user: { login: byApp ? "magic-pr[bot]" : "someone", type: byApp ? "Bot" : "User" },
    performed_via_github_app: byApp ? { id: APP_ID, slug: "magic-pr" } : null,
  };
}

export interface RunMocks {
  /** Bodies of the status comment, in the order they were written. */
  statusBodies: string[];
  /** The request bodies of created pull requests. */
  pullRequests: Array<Record<string, any>>;
  /** Request bodies of check run creations and updates, in order. */
  checkRuns: Array<Record<string, any>>;
}

/** Id the mocked GitHub gives every check run. */
export const CHECK_RUN_ID = 300;

/** Id the mocked GitHub gives the check run a follow-up run puts on the branch's tip. */
export const TIP_CHECK_RUN_ID = 301;

/** Mocks one check run: its creation in progress and its completion. */
export function mockCheckRun(api: nock.Scope, owner: string, repo: string, recorded: Array<Record<string, any>>, id = CHECK_RUN_ID): void {
  api.post(`/repos/${owner}/${repo}/check-runs`).reply(201, (_uri, body: any) => {
    recorded.push(body);
    return { id, head_sha: body.head_sha, status: body.status };
  });
  api.patch(`/repos/${owner}/${repo}/check-runs/${id}`).reply(200, (_uri, body: any) => {
    recorded.push(body);
    return { id, status: body.status, conclusion: body.conclusion };
  });
}

/**
 * Mocks the GitHub requests of a full run from an `issues.labeled` webhook: config, permission, reaction,
 * status comment (id 100) and, unless `expectPullRequest` is false, the pull request lookup and creation.
 */
export function mockLabeledRun(
  api: nock.Scope,
  options: { owner: string; repo: string; issue?: number; config?: string; expectPullRequest?: boolean },
): RunMocks {
  const { owner, repo } = options;
  const issue = options.issue ?? 1;
  const mocks: RunMocks = { statusBodies: [], pullRequests: [], checkRuns: [] };
  mockInstallationToken(api);
  const once = onceScope();
  mockRepoConfig(once, owner, repo, options.config);
  mockRole(once, owner, repo, "maintainer", "write");
  once.post(`/repos/${owner}/${repo}/issues/${issue}/reactions`).reply(201, { id: 1, content: "eyes" });
  once.get(`/repos/${owner}/${repo}/issues/${issue}/comments`).query(true).reply(200, []);
  once.post(`/repos/${owner}/${repo}/issues/${issue}/comments`).reply(201, (_uri, body: any) => {
    mocks.statusBodies.push(body.body);
    return commentResponse(100, body.body);
  });
  mockStatusEdits(api, owner, repo, mocks.statusBodies);
  if (options.expectPullRequest !== false) {
    mockCheckRun(once, owner, repo, mocks.checkRuns);
    once.get(`/repos/${owner}/${repo}/pulls`).query(true).reply(200, []);
    once.post(`/repos/${owner}/${repo}/pulls`).reply(201, (_uri, body: any) => {
      mocks.pullRequests.push(body);
      return { number: 5, html_url: `https://github.com/${owner}/${repo}/pull/5`, draft: body.draft };
    });
  }
  return mocks;
}

/** Records of the requests a run on an existing pull request makes. */
export interface ContinuedRunMocks {
  statusBodies: string[];
  /** `PATCH /pulls/N` bodies. */
  pullRequestUpdates: Array<Record<string, any>>;
  checkRuns: Array<Record<string, any>>;
}

/**
 * Mocks the status comment an earlier run left (id 100, found by listing the issue's comments once
 * per intake) and `runs` runs that update the open pull request `pullNumber` of `magic/issue-N`.
 * `tipChecks` runs, by default all, first put a check run on the branch's tip.
 */
export function mockContinuedRuns(
  api: nock.Scope,
  options: { owner: string; repo: string; issue?: number; pullNumber?: number; runs?: number; intakes?: number; tipChecks?: number },
): ContinuedRunMocks {
  const { owner, repo } = options;
  const issue = options.issue ?? 1;
  const pullNumber = options.pullNumber ?? 5;
  const runs = options.runs ?? 1;
  const mocks: ContinuedRunMocks = { statusBodies: [], pullRequestUpdates: [], checkRuns: [] };
  mockInstallationToken(api);
  for (let intake = 0; intake < (options.intakes ?? runs); intake += 1) {
    onceScope()
      .get(`/repos/${owner}/${repo}/issues/${issue}/comments`)
      .query(true)
      .reply(200, () => [commentResponse(100, `${STATUS_MARKER}\n**Magic PR:** Done`)]);
  }
  mockStatusEdits(api, owner, repo, mocks.statusBodies);
  const pull = { number: pullNumber, html_url: `https://github.com/${owner}/${repo}/pull/${pullNumber}`, draft: false };
  const tipChecks = options.tipChecks ?? runs;
  for (let run = 0; run < Math.max(runs, tipChecks); run += 1) {
    const once = onceScope();
    if (run < tipChecks) mockCheckRun(once, owner, repo, mocks.checkRuns, TIP_CHECK_RUN_ID);
    if (run >= runs) continue;
    mockCheckRun(once, owner, repo, mocks.checkRuns);
    once.get(`/repos/${owner}/${repo}/pulls`).query({ state: "open", head: `${owner}:magic/issue-${issue}`, per_page: "1" }).reply(200, [pull]);
    once.patch(`/repos/${owner}/${repo}/pulls/${pullNumber}`).reply(200, (_uri, body: any) => {
      mocks.pullRequestUpdates.push(body);
      return pull;
    });
  }
  return mocks;
}

/** Mocks every edit of status comment 100 and records the bodies in order. */
export function mockStatusEdits(api: nock.Scope, owner: string, repo: string, recorded: string[]): void {
  api
    .patch(`/repos/${owner}/${repo}/issues/comments/100`)
    .reply(200, (_uri, body: any) => {
      recorded.push(body.body);
      return commentResponse(100, body.body);
    })
    .persist();
}

/** Mocks the 👀 reaction on an issue comment. */
export function mockCommentReaction(api: nock.Scope, owner: string, repo: string, commentId: number): void {
  api.post(`/repos/${owner}/${repo}/issues/comments/${commentId}/reactions`, { content: "eyes" }).reply(201, { id: 2, content: "eyes" });
}
