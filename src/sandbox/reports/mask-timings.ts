/** Placeholder that replaces a runner's timing figure in text given to the model. */
export const MASKED_TIME = "<time>";

/**
 * Timing lines of known test runners, each with the figure in a group named `time`. The patterns
 * match whole runner lines or line endings only, so numbers inside assertion messages stay as they are.
 */
const TIMING_PATTERNS: readonly RegExp[] = [
  // node:test TAP: "  duration_ms: 1.683532" in a test's YAML block and "# duration_ms 60.1" at the end.
  /^(\s*duration_ms: )(?<time>\d+(?:\.\d+)?)$/gm,
  /^(# duration_ms )(?<time>\d+(?:\.\d+)?)$/gm,
  // node:test spec and mocha: "✔ adds (1.2345ms)", "✓ adds (12 ms)".
  /^(\s*[✔✓✖✗√×].*\()(?<time>\d+(?:\.\d+)? ?ms)\)$/gm,
  // vitest file lines: " ✓ test/add.test.ts (3 tests) 5ms".
  /^(\s*[✓×❯↓].*\(\d+ tests?(?:[^)]*)\) )(?<time>\d+(?:\.\d+)?m?s)$/gm,
  // jest: "Time:        1.234 s, estimated 2 s".
  /^(Time:\s+)(?<time>\d+(?:\.\d+)? ?m?s.*)$/gm,
  // vitest: " Duration  1.23s (transform 20ms, setup 0ms, ...)".
  /^(\s*Duration\s+)(?<time>\d+(?:\.\d+)? ?m?s.*)$/gm,
  // pytest: "==== 1 failed, 2 passed in 0.12s ====", with "(0:00:01)" after long runs.
  /^(=+ .* in )(?<time>\d+(?:\.\d+)?s(?: \(\d+:\d\d:\d\d\))?)( =+)$/gm,
  // go: "--- PASS: TestAdd (0.00s)".
  /^(\s*--- (?:PASS|FAIL|SKIP): .* \()(?<time>\d+(?:\.\d+)?s)\)$/gm,
  // go: "ok  	example.com/calc	0.012s" and "FAIL	example.com/calc	0.012s".
  /^((?:ok|FAIL)\s+\S+\s+)(?<time>\d+(?:\.\d+)?s)/gm,
  // cargo: "test result: ok. 3 passed; 0 failed; ...; finished in 0.01s".
  /^(test result: .*finished in )(?<time>\d+(?:\.\d+)?s)$/gm,
];

/**
 * Replaces the timing figures of known test runners with {@link MASKED_TIME}. Timings differ from run
 * to run, and a prompt that contains them would make every recorded run fail to replay.
 */
export function maskTimings(text: string): string {
  let masked = text;
  for (const pattern of TIMING_PATTERNS) {
    masked = masked.replace(pattern, (...args) => {
      const groups = args.at(-1) as { time: string };
      const match = args[0] as string;
      const prefix = args[1] as string;
      return prefix + MASKED_TIME + match.slice(prefix.length + groups.time.length);
    });
  }
  return masked;
}
