import { describe, expect, test } from "vitest";
import { parseHardLimits, prlimitPrefix, unenforcedLimitWarnings } from "../../src/sandbox/resource-limits.js";
import { resolveLimits } from "../../src/sandbox/sandbox.js";

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max file size             unlimited            unlimited            bytes
Max data size             unlimited            8589934592           bytes
Max stack size            8388608              unlimited            bytes
Max processes             96368                512                  processes
Max open files            20000                20000                files
`;

describe("prlimitPrefix", () => {
  test("every limit as a prlimit option", () => {
    const args = prlimitPrefix("/usr/bin/prlimit", { memoryBytes: 1000, maxProcesses: 64, cpuSeconds: 9.2, maxFileBytes: 2000 });

    expect(args).toEqual(["/usr/bin/prlimit", "--core=0", "--data=1000", "--nproc=64", "--cpu=10", "--fsize=2000", "--"]);
  });

  test("limits above the hard limits lowered", () => {
    const args = prlimitPrefix("/usr/bin/prlimit", { memoryBytes: 16 * 1024 ** 3, maxProcesses: 1024 }, parseHardLimits(PROC_LIMITS));

    expect(args).toContain("--data=8589934592");
    expect(args).toContain("--nproc=512");
  });

  test.each([0, -1, 1.5, Number.NaN])("limit %s rejected", (value) => {
    expect(() => prlimitPrefix("/usr/bin/prlimit", { maxProcesses: value })).toThrow(/maxProcesses is .*: expected a positive whole number/);
  });
});

describe("parseHardLimits", () => {
  test("reads hard limits and skips unlimited ones", () => {
    expect(parseHardLimits(PROC_LIMITS)).toEqual({ memoryBytes: 8589934592, maxProcesses: 512 });
  });
});

describe("resolveLimits", () => {
  test("run values over defaults", () => {
    const limits = resolveLimits({ maxProcesses: 10, memoryBytes: undefined });

    expect(limits.maxProcesses).toBe(10);
    expect(limits.memoryBytes).toBe(4 * 1024 ** 3);
    expect(limits.cpuSeconds).toBeUndefined();
  });
});

describe("unenforcedLimitWarnings", () => {
  test("missing prlimit", () => {
    expect(unenforcedLimitWarnings({ prlimitPath: undefined, uid: 1000 })).toEqual([expect.stringContaining("prlimit was not found")]);
  });

  test("root", () => {
    expect(unenforcedLimitWarnings({ prlimitPath: "/usr/bin/prlimit", uid: 0 })).toEqual([expect.stringContaining("RLIMIT_NPROC")]);
  });

  test("non-root with prlimit", () => {
    expect(unenforcedLimitWarnings({ prlimitPath: "/usr/bin/prlimit", uid: 1000 })).toEqual([]);
  });
});
