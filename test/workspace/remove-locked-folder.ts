// Builds a folder whose subfolders have lost their permissions, as test code may leave a worktree,
// then removes it with removeFolder. Run it as a user other than root, because root ignores permissions.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { removeFolder } from "../../src/workspace/folders.js";

const [root] = process.argv.slice(2);
if (!root) throw new Error("usage: remove-locked-folder.ts FOLDER");
const locked = path.join(root, "tree", "locked");
mkdirSync(path.join(locked, "inner"), { recursive: true });
writeFileSync(path.join(locked, "inner", "file.txt"), "x");
chmodSync(path.join(locked, "inner"), 0o000);
chmodSync(locked, 0o500);
await removeFolder(path.join(root, "tree"));
