import { describe, expect, test } from "vitest";
import { parseRepoConfig, triggerLabelOf } from "../../src/config/repo-config.js";

describe("parseRepoConfig", () => {
  test("missing file gives defaults", () => {
    const result = parseRepoConfig(null);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.protected_paths).toEqual([".github/workflows/**"]);
    expect(result.config.budget.model_calls).toBe(60);
    expect(result.config.test_timeout_seconds).toBe(600);
    expect(result.config.setup_network).toBe(true);
  });

  test("valid file keeps its values", () => {
    const result = parseRepoConfig({ test_command: "make test", budget: { minutes: 5 }, protected_paths: ["secrets/**"] });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.test_command).toBe("make test");
    expect(result.config.budget.minutes).toBe(5);
    expect(result.config.budget.usd).toBe(2);
    expect(result.config.candidates).toBe(2);
    expect(result.config.strategy).toBe("until-green");
  });

  test.each([
    [{ test_command: "" }, "test_command", '""'],
    [{ budget: { model_calls: 0 } }, "budget.model_calls", "0"],
    [{ budget: "lots" }, "budget", '"lots"'],
    [{ protected_paths: "docs/**" }, "protected_paths", '"docs/**"'],
    [{ test_timeout_seconds: -1 }, "test_timeout_seconds", "-1"],
    [{ setup_network: "no" }, "setup_network", '"no"'],
  ])("invalid %j names its key", (raw, key, found) => {
    const result = parseRepoConfig(raw);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.key).toBe(key);
    expect(result.problems[0]?.found).toBe(found);
    expect(result.problems[0]?.expected).not.toBe("");
  });

  test("unknown keys listed with known ones", () => {
    const result = parseRepoConfig({ colour: "blue", budget: { dollars: 3 } });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.key).sort()).toEqual(["budget.dollars", "colour"]);
    expect(result.problems.find((problem) => problem.key === "budget.dollars")?.expected).toContain("model_calls");
  });

  test("trigger label falls back", () => {
    expect(triggerLabelOf({ trigger_label: " autofix " }, "magic")).toBe("autofix");
    expect(triggerLabelOf({ trigger_label: 3 }, "magic")).toBe("magic");
    expect(triggerLabelOf(null, "magic")).toBe("magic");
  });
});
