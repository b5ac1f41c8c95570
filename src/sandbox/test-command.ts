import { type DetectOptions, detectTestPlan, guessRunner, type TestPlan } from "./detect-test-plan.js";

export type { TestPlan } from "./detect-test-plan.js";

/** Wraps a command line from `.github/magic.yml` so it runs as the maintainer wrote it. */
export function shellCommand(commandLine: string): string[] {
  return ["sh", "-c", commandLine];
}

/**
 * Chooses the test and setup commands: the repository config wins, else they are detected from the
 * files in the worktree. Returns undefined when no test command can be found.
 */
export function planTests(
  worktree: string,
  config: { test_command?: string; setup_command?: string },
  options: DetectOptions = {},
): TestPlan | undefined {
  const detected = detectTestPlan(worktree, options);
  if (config.test_command) {
    const setup = config.setup_command ? shellCommand(config.setup_command) : detected?.setup;
    return { setup, test: shellCommand(config.test_command), source: "config", ...guessRunner(config.test_command) };
  }
  if (!detected) return undefined;
  return config.setup_command ? { ...detected, setup: shellCommand(config.setup_command) } : detected;
}
