import { describe, expect, test } from "vitest";
import { maskTimings } from "../../src/sandbox/reports/mask-timings.js";

describe("maskTimings", () => {
  test.each([
    ["node:test test block", "  duration_ms: 1.683532", "  duration_ms: <time>"],
    ["node:test summary", "# duration_ms 48.411223", "# duration_ms <time>"],
    ["node:test spec", "✔ add sums two numbers (1.2345ms)", "✔ add sums two numbers (<time>)"],
    ["mocha spec", "  ✓ adds (12 ms)", "  ✓ adds (<time>)"],
    ["vitest file line", " ✓ test/add.test.ts (3 tests) 5ms", " ✓ test/add.test.ts (3 tests) <time>"],
    ["jest time", "Time:        1.234 s, estimated 2 s", "Time:        <time>"],
    ["vitest duration", "   Duration  1.23s (transform 20ms, setup 0ms)", "   Duration  <time>"],
    ["pytest summary", "==== 1 failed, 2 passed in 0.12s ====", "==== 1 failed, 2 passed in <time> ===="],
    ["go test line", "--- FAIL: TestAdd (0.00s)", "--- FAIL: TestAdd (<time>)"],
    ["go package ok", "ok  \texample.com/calc\t0.012s", "ok  \texample.com/calc\t<time>"],
    ["go package fail", "FAIL\texample.com/calc\t0.012s", "FAIL\texample.com/calc\t<time>"],
    ["cargo summary", "test result: ok. 3 passed; 0 failed; 0 ignored; finished in 0.01s", "test result: ok. 3 passed; 0 failed; 0 ignored; finished in <time>"],
  ])("masks %s", (_name, line, expected) => {
    expect(maskTimings(line)).toBe(expected);
  });

  test.each([
    ["assertion message", "AssertionError: expected 1.683532 to equal 2"],
    ["duration in a message", "expected duration_ms: 12 but got 13 in the reply"],
    ["message with ms in brackets", "timeout after (500ms) in fetch()"],
    ["message naming a time", "Expected Time: 1.5 s to be shorter"],
  ])("keeps %s", (_name, line) => {
    expect(maskTimings(line)).toBe(line);
  });

  test("masks every timing line of a report", () => {
    const output = "not ok 1 - adds\n  ---\n  duration_ms: 1.8\n  ...\n# fail 1\n# duration_ms 48.4\n";

    expect(maskTimings(output)).toBe("not ok 1 - adds\n  ---\n  duration_ms: <time>\n  ...\n# fail 1\n# duration_ms <time>\n");
  });
});
