import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { WorkspaceError } from "../../src/workspace/errors.js";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { type BareRemote, createBareRemote, git, writeFiles } from "../helpers/git-repository.js";
import { captureLog, commitToRemote, filesContaining, makeTemporaryFolder } from "./fixtures.js";
import { type HttpRemote, startHttpRemote } from "./http-remote.js";

const TOKEN = "ghs_workspaceTestToken0123456789abcdef";
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");

describe("credentials over an HTTP remote", () => {
  let remote: BareRemote;
  let server: HttpRemote;
  let work: ReturnType<typeof makeTemporaryFolder>;

  beforeEach(async () => {
    remote = createBareRemote({ "README.md": "# private\n", "src/app.js": "export const app = 1;\n" });
    git(remote.directory, "config", "uploadpack.allowFilter", "true");
    server = await startHttpRemote({ repository: remote.directory, token: TOKEN });
    work = makeTemporaryFolder("magic-credentials-");
  });

  afterEach(async () => {
    await server.close();
    remote.cleanup();
    work.cleanup();
  });

  test("token sent as a header and never stored", async () => {
    const { log, records } = captureLog();
    const workspaces = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log, spareWorktrees: true });

    const mirror = await workspaces.openMirror({ cloneUrl: server.url, token: TOKEN });
    const first = await mirror.createWorktree({ name: "run-1", baseBranch: "main" });
    await workspaces.idle();
    commitToRemote(remote, { write: { "src/app.js": "export const app = 2;\n" } });
    const warm = await workspaces.openMirror({ cloneUrl: server.url, token: TOKEN });
    const second = await warm.createWorktree({ name: "run-2", baseBranch: "main" });
    writeFiles(second.directory, { "src/app.js": "export const app = 3;\n" });
    await second.commitAll("Bump app");
    await second.push("magic/issue-7", TOKEN);

    expect(mirror.partial).toBe(true);
    expect(remote.readFile("magic/issue-7", "src/app.js")).toBe("export const app = 3;\n");
    expect(server.requests.length).toBeGreaterThan(0);
    for (const request of server.requests) expect(request.authorization, `${request.method} ${request.path}`).toBe(`basic ${BASIC}`);
    expect(server.requests.some((request) => request.path.includes("git-receive-pack"))).toBe(true);
    expect(filesContaining(work.directory, [TOKEN, BASIC])).toEqual([]);
    expect(git(mirror.directory, "config", "--list", "--local")).not.toMatch(/extraheader|x-access-token/i);
    expect(JSON.stringify(records)).not.toContain(TOKEN);
    await first.remove();
    await second.remove();
  });

  test("missing token fails with a clear error", async () => {
    const workspaces = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log: captureLog().log, spareWorktrees: false });

    const error = await workspaces.openMirror({ cloneUrl: server.url }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toContain(`Cloning ${server.url} failed`);
    expect((error as Error).message).toMatch(/Authentication failed|could not read Username/);
  });

  test("wrong token is not echoed in the error", async () => {
    const workspaces = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log: captureLog().log, spareWorktrees: false });
    const wrong = "ghs_wrongTokenThatMustNotLeak000000";

    const error = await workspaces.openMirror({ cloneUrl: server.url, token: wrong }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).not.toContain(wrong);
    expect((error as Error).message).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString("base64"));
    expect(filesContaining(work.directory, [wrong])).toEqual([]);
  });
});
