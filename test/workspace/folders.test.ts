import { execFileSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { removeFolder } from "../../src/workspace/folders.js";
import { makeTemporaryFolder } from "./fixtures.js";

const HELPER = fileURLToPath(new URL("./remove-locked-folder.ts", import.meta.url));

describe("removeFolder", () => {
  let scratch: ReturnType<typeof makeTemporaryFolder>;

  beforeEach(() => {
    scratch = makeTemporaryFolder("magic-folders-");
  });

  afterEach(() => {
    execFileSync("chmod", ["-R", "u+rwx", scratch.directory]);
    scratch.cleanup();
  });

  test("folder without permissions removed", () => {
    // Root ignores file permissions, so the removal runs as the unprivileged user "nobody" there.
    const runAs = process.getuid?.() === 0 ? ["runuser", "-u", "nobody", "--"] : [];
    chmodSync(scratch.directory, 0o777);

    execFileSync(runAs[0] ?? process.execPath, [...runAs.slice(1), ...(runAs.length > 0 ? [process.execPath] : []), "--import", "tsx", HELPER, scratch.directory], {
      stdio: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: scratch.directory },
    });

    expect(existsSync(path.join(scratch.directory, "tree"))).toBe(false);
  });

  test("missing folder accepted", async () => {
    await expect(removeFolder(path.join(scratch.directory, "absent"))).resolves.toBeUndefined();
  });
});
