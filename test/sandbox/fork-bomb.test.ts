import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { availableSandboxes, temporaryFolder } from "./sandbox-kinds.js";

/**
 * Linux does not apply RLIMIT_NPROC to root, so a fork bomb is contained only when the sandboxed
 * commands run as another user, as they do in the app's Docker image. When the tests run as root, this
 * file's worker process (vitest runs each test file in its own process) gives up root for good before
 * anything else, and the bombs run as `nobody`.
 */
const NOBODY = 65534;
if (process.getuid?.() === 0) {
  process.setgroups?.([]);
  process.setgid?.(NOBODY);
  process.setuid?.(NOBODY);
}
const runsAsRoot = process.getuid?.() === 0;

/**
 * A second, looser cap on this worker and everything it starts, so that a sandbox whose own limit
 * failed still cannot exhaust the machine during the test's few seconds.
 */
const SAFETY_PROCESSES = 512;
let safetyCapSet = false;
if (!runsAsRoot) {
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nproc=${SAFETY_PROCESSES}`]);
    safetyCapSet = true;
  } catch {
    // Without prlimit no sandbox limits processes either; the bombs below are skipped.
  }
}

const MAX_PROCESSES = 64;
/** Processes of the sandbox itself whose command line contains the marker: bwrap's monitor and its PID 1. */
const SANDBOX_PROCESSES = 3;

const sandboxes: Sandbox[] = runsAsRoot || !safetyCapSet ? [] : await availableSandboxes();

/** Counts host processes whose command line contains `marker`. */
function countProcesses(marker: string): number {
  let count = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) count++;
    } catch {
      // The process exited while the list was read.
    }
  }
  return count;
}

describe.skipIf(runsAsRoot || !safetyCapSet)("fork bomb", () => {
  let folder: ReturnType<typeof temporaryFolder>;

  beforeAll(() => {
    folder = temporaryFolder("magic-fork-bomb-");
  });

  afterAll(() => folder.remove());

  test.each(sandboxes.map((sandbox) => [sandbox.kind, sandbox] as const))("contained by %s sandbox", async (_kind, sandbox) => {
    const marker = `magic-fork-bomb-${randomUUID()}`;
    let observedMaximum = 0;
    const sampler = setInterval(() => {
      observedMaximum = Math.max(observedMaximum, countProcesses(marker));
    }, 50);

    const result = await sandbox.run(["sh", "-c", "bomb() { bomb | bomb & }; bomb; sleep 30", marker], {
      cwd: folder.path,
      timeoutMs: 3_000,
      limits: { maxProcesses: MAX_PROCESSES, maxOutputBytes: 16 * 1024 },
    });
    clearInterval(sampler);
    const deadline = Date.now() + 5_000;
    while (countProcesses(marker) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    // The fork error proves the bomb ran into the limit. The sampler may see no process at all,
    // because a limit already reached by other processes of the same user can stop it within 25 ms.
    expect(result.output).toMatch(/Cannot fork|Resource temporarily unavailable/);
    expect(observedMaximum).toBeLessThanOrEqual(MAX_PROCESSES + SANDBOX_PROCESSES);
    expect(countProcesses(marker)).toBe(0);
    expect(result.durationMs).toBeLessThan(15_000);
  });
});
