import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { git, writeFiles } from "../helpers/git-repository.js";
import { writeTestFactsFile } from "../helpers/settings.js";

/** Creates a local (non-bare) repository on branch main with one commit per entry of `commits`. */
export function createLocalRepository(commits: Array<{ message: string; files: Record<string, string> }>): string {
  const directory = mkdtempSync(path.join(tmpdir(), "magic-local-"));
  git(directory, "init", "--quiet");
  for (const commit of commits) {
    writeFiles(directory, commit.files);
    git(directory, "add", "--all");
    git(directory, "commit", "--quiet", "-m", commit.message);
  }
  return directory;
}

/**
 * A reporter for Node's test runner that prints one TAP line per top-level test, without durations or
 * YAML blocks. The bench tests use it to name passing tests in short, byte-identical output.
 */
export const TAP_PLAIN_REPORTER = `// Prints TAP without durations, so that the same tests give byte-identical output in every run.
export default async function* tapPlain(source) {
  let count = 0;
  yield "TAP version 13\\n";
  for await (const event of source) {
    if ((event.type !== "test:pass" && event.type !== "test:fail") || event.data.nesting !== 0) continue;
    count += 1;
    if (event.type === "test:pass") {
      yield \`ok \${count} - \${event.data.name}\\n\`;
    } else {
      const message = String(event.data.details?.error?.cause?.message ?? event.data.details?.error?.message ?? "failed").split("\\n")[0];
      yield \`not ok \${count} - \${event.data.name}\\n  ---\\n  message: \${JSON.stringify(message)}\\n  ...\\n\`;
    }
  }
  yield \`1..\${count}\\n\`;
}
`;

/** Test command that runs Node's test runner with {@link TAP_PLAIN_REPORTER} saved as tap-plain.mjs. */
export const TAP_PLAIN_TEST_COMMAND = "node --test --test-reporter=./tap-plain.mjs";

/** Environment of a local command in tests: its own work folder, no log lines, the process sandbox, facts of the test model. */
export function localCommandEnv(folder: string, modelId: string): Record<string, string> {
  return { MAGIC_WORK_DIR: path.join(folder, "work"), LOG_LEVEL: "silent", MAGIC_SANDBOX: "process", MAGIC_MODEL_FACTS_FILE: writeTestFactsFile([modelId]) };
}

/** Output of a command run in-process, with its exit code. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Collects a command's output for assertions. */
export function collectingIo() {
  const result = { stdout: "", stderr: "" };
  return {
    result,
    io: { stdout: { write: (text: string) => void (result.stdout += text) }, stderr: { write: (text: string) => void (result.stderr += text) } },
  };
}

/** Polls a condition every 20 ms until it holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
