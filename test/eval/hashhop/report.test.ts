import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { renderChart } from "../../../src/eval/hashhop/chart.js";
import { renderCsv, renderTable, summarize } from "../../../src/eval/hashhop/report.js";
import type { EvalPlan, SampleResult } from "../../../src/eval/hashhop/run.js";
import { formatSize, parseSize } from "../../../src/eval/hashhop/sizes.js";

const PLAN: EvalPlan = { sizes: [2_000, 8_000, 32_000], hops: [1, 2], variants: ["cot", "skip"], samples: 2, queries: 2, hashLength: 16, seed: "s" };

function result(size: number, hops: number, variant: "cot" | "skip", index: number, exact: boolean[]): SampleResult {
  return {
    size,
    hops,
    variant,
    index,
    status: "scored",
    promptTokens: size,
    reportedInputTokens: size + 100,
    scores: exact.map((right) => {
      const hopShare = right ? 1 : 0.5;
      return { start: "s", expected: "e", actual: right ? "e" : "x", exact: right, hopShare: variant === "cot" ? hopShare : undefined };
    }),
  };
}

function fullResults(): SampleResult[] {
  const results: SampleResult[] = [];
  for (const size of PLAN.sizes) {
    for (const hops of PLAN.hops) {
      for (const variant of PLAN.variants) {
        results.push(result(size, hops, variant, 0, [true, true]), result(size, hops, variant, 1, [true, size < 32_000]));
      }
    }
  }
  return results;
}

describe("summarize", () => {
  test("counts each cell", () => {
    const cells = summarize(PLAN, [
      ...fullResults().filter((entry) => !(entry.size === 2_000 && entry.hops === 1 && entry.variant === "cot")),
      { ...result(2_000, 1, "cot", 0, []), status: "failed", error: "HTTP 500" },
      { ...result(2_000, 1, "cot", 1, []), status: "not-run" },
    ]);

    expect(cells).toHaveLength(12);
    expect(cells[0]).toMatchObject({ size: 2_000, hops: 1, variant: "cot", samplesScored: 0, samplesFailed: 1, samplesNotRun: 1, accuracy: undefined });
    const largest = cells.find((cell) => cell.size === 32_000 && cell.hops === 2 && cell.variant === "cot");
    expect(largest).toMatchObject({ queries: 4, correct: 3, accuracy: 0.75, hopAccuracy: 0.875, meanPromptTokens: 32_000, meanReportedInputTokens: 32_100 });
    expect(cells.find((cell) => cell.variant === "skip")?.hopAccuracy).toBeUndefined();
  });
});

describe("renderTable", () => {
  test("one row per hops and variant", () => {
    const table = renderTable(PLAN, summarize(PLAN, fullResults()));

    expect(table.split("\n")).toEqual([
      "hops  variant  2k      8k      32k",
      "1     cot      100.0%  100.0%  75.0%",
      "1     skip     100.0%  100.0%  75.0%",
      "2     cot      100.0%  100.0%  75.0%",
      "2     skip     100.0%  100.0%  75.0%",
      "",
    ]);
  });
});

describe("renderCsv", () => {
  test("header and one row per cell", () => {
    const lines = renderCsv(summarize(PLAN, fullResults())).split("\r\n");

    expect(lines[0]).toBe(
      "size,hops,variant,samples_scored,samples_failed,samples_not_run,queries,correct,accuracy,hop_accuracy,mean_prompt_tokens,mean_reported_input_tokens",
    );
    expect(lines[1]).toBe("2000,1,cot,2,0,0,4,4,1.0000,1.0000,2000.0,2100.0");
    expect(lines[2]).toBe("2000,1,skip,2,0,0,4,4,1.0000,,2000.0,2100.0");
    expect(lines).toHaveLength(14);
    expect(lines[13]).toBe("");
  });
});

describe("renderChart", () => {
  const parse = (svg: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", htmlEntities: true }).parse(svg).svg;

  test("is well-formed with escaped title", () => {
    const svg = renderChart(summarize(PLAN, fullResults()), { title: `HashHop <"model"> & 'co'`, sizes: PLAN.sizes, hops: PLAN.hops, variants: PLAN.variants });

    expect(XMLValidator.validate(svg)).toBe(true);
    expect(parse(svg).text[0]["#text"]).toBe(`HashHop <"model"> & 'co'`);
  });

  test("x axis is logarithmic", () => {
    // 2k, 8k and 32k are each four times the last, so they sit equally far apart on a log axis.
    const svg = renderChart(summarize(PLAN, fullResults()), { title: "t", sizes: PLAN.sizes, hops: PLAN.hops, variants: PLAN.variants });

    const series = parse(svg).g;
    const xs = (series[0].polyline.points as string).split(" ").map((point) => Number(point.split(",")[0]));
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 0);
    expect(xs[1]! - xs[0]!).toBeGreaterThan(100);
  });

  test("y follows accuracy", () => {
    const svg = renderChart(summarize(PLAN, fullResults()), { title: "t", sizes: PLAN.sizes, hops: PLAN.hops, variants: PLAN.variants });

    const ys = (parse(svg).g[0].polyline.points as string).split(" ").map((point) => Number(point.split(",")[1]));
    expect(ys[0]).toBe(ys[1]);
    expect(ys[2]! - ys[1]!).toBeCloseTo((390 - 50) * 0.25, 0);
  });

  test("skip lines are dashed", () => {
    const svg = renderChart(summarize(PLAN, fullResults()), { title: "t", sizes: PLAN.sizes, hops: PLAN.hops, variants: PLAN.variants });

    const series = parse(svg).g as Array<{ "data-variant": string; polyline: { "stroke-dasharray"?: string } }>;
    for (const group of series) expect(group.polyline["stroke-dasharray"] !== undefined).toBe(group["data-variant"] === "skip");
  });

  test("missing cells leave gaps", () => {
    const results = fullResults().filter((entry) => !(entry.size === 8_000 && entry.hops === 1 && entry.variant === "cot"));

    const svg = renderChart(summarize(PLAN, results), { title: "t", sizes: PLAN.sizes, hops: PLAN.hops, variants: PLAN.variants });

    expect(XMLValidator.validate(svg)).toBe(true);
    expect((parse(svg).g[0].polyline.points as string).split(" ")).toHaveLength(2);
  });

  test("single size is centred", () => {
    const svg = renderChart(summarize({ ...PLAN, sizes: [2_000] }, fullResults()), { title: "t", sizes: [2_000], hops: [1], variants: ["cot"] });

    expect(XMLValidator.validate(svg)).toBe(true);
    expect(Number(parse(svg).g.circle.cx)).toBe((80 + 560) / 2);
  });
});

describe("sizes", () => {
  test.each([
    ["2000", 2_000],
    ["2k", 2_000],
    ["2K", 2_000],
    ["1.5m", 1_500_000],
    ["128k", 128_000],
    ["0", undefined],
    ["k", undefined],
    ["2 k", undefined],
    ["1e3", undefined],
    ["0.0001k", undefined],
  ])("parseSize(%s)", (text, expected) => {
    expect(parseSize(text)).toBe(expected);
  });

  test.each([
    [2_000, "2k"],
    [128_000, "128k"],
    [1_500_000, "1.5m"],
    [2_500, "2.5k"],
    [2_048, "2048"],
  ])("formatSize(%i)", (tokens, expected) => {
    expect(formatSize(tokens)).toBe(expected);
  });
});
