// Creates one worktree and then waits to be killed, like a worker that crashes in the middle of a run.
import { pino } from "pino";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";

const [workDir, cloneUrl, name] = process.argv.slice(2);
if (!workDir || !cloneUrl || !name) throw new Error("usage: crash-worker.ts WORK_DIR CLONE_URL WORKTREE_NAME");
const workspaces = new WorkspaceManager({ workDir, maxMirrorBytes: 1e9, log: pino({ level: "silent" }), spareWorktrees: false });
const mirror = await workspaces.openMirror({ cloneUrl });
const worktree = await mirror.createWorktree({ name, baseBranch: "main" });
process.send?.({ directory: worktree.directory });
setInterval(() => undefined, 60_000);
