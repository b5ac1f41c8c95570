import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { evalCommand } from "../../../src/cli/eval-hashhop.js";
import { readEffectiveWindow } from "../../../src/eval/hashhop/profile.js";
import { HASHHOP_SYSTEM_PROMPT } from "../../../src/eval/hashhop/prompt.js";
import { CSV_COLUMNS } from "../../../src/eval/hashhop/report.js";
import { startModelServer, type ChatReply, type ModelServer, type RecordedChatRequest } from "../../helpers/model-server.js";
import { guessRandomly, lookUpChains, messageText } from "./responders.js";

const MODEL = "openai-compatible:hashhop-test";
const REPORT_NAME = "hashhop-openai-compatible-hashhop-test";

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runEval(argv: string[], env: Record<string, string>): Promise<CommandResult> {
  let stdout = "";
  let stderr = "";
  const code = await evalCommand(argv, env, { stdout: { write: (text) => void (stdout += text) }, stderr: { write: (text) => void (stderr += text) } });
  return { code, stdout, stderr };
}

function readCsv(file: string): Array<Record<string, string>> {
  const [header, ...rows] = readFileSync(file, "utf8").trimEnd().split("\r\n");
  const columns = (header as string).split(",");
  return rows.map((row) => {
    const fields = row.split(",");
    expect(fields).toHaveLength(columns.length);
    return Object.fromEntries(columns.map((column, index) => [column, fields[index] as string]));
  });
}

function parseSvg(file: string): any {
  const text = readFileSync(file, "utf8");
  expect(XMLValidator.validate(text)).toBe(true);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", htmlEntities: true }).parse(text);
}

describe("magic eval hashhop against a loopback model", () => {
  let folder: string;
  let server: ModelServer | undefined;
  let env: Record<string, string>;

  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "hashhop-cli-"));
    const factsFile = path.join(folder, "model-facts.json");
    writeFileSync(factsFile, JSON.stringify({ [MODEL]: { contextWindow: 200_000, prices: { input: 1, output: 2 } } }));
    env = { MAGIC_WORK_DIR: folder, LOG_LEVEL: "silent", MAGIC_MODEL_FACTS_FILE: factsFile };
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(folder, { recursive: true, force: true });
  });

  async function serve(reply: ChatReply): Promise<void> {
    server = await startModelServer([reply]);
    env.MAGIC_MODEL_BASE_URL = server.baseUrl;
  }

  test("perfect retriever scores 100% everywhere", async () => {
    await serve(lookUpChains);
    const argv = ["hashhop", "--model", MODEL, "--sizes", "2k,8k,32k", "--hops", "1,2,4", "--variant", "cot,skip", "--samples", "2", "--queries", "3"];

    const result = await runEval([...argv, "--write-profile"], env);

    expect(result.stderr).not.toMatch(/failed|Stopped/);
    expect(result.code).toBe(0);
    expect(server?.requests).toHaveLength(3 * 3 * 2 * 2);
    const rows = readCsv(path.join(folder, "hashhop", `${REPORT_NAME}.csv`));
    expect(Object.keys(rows[0] as object)).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(18);
    for (const row of rows) {
      expect(row.accuracy, `${row.size} ${row.hops} ${row.variant}`).toBe("1.0000");
      expect(row.queries).toBe("6");
      expect(row.hop_accuracy).toBe(row.variant === "cot" ? "1.0000" : "");
    }
    expect(result.stdout).toMatch(/hops\s+variant\s+2k\s+8k\s+32k/);
    expect(result.stdout).toMatch(/^4\s+skip\s+100\.0%\s+100\.0%\s+100\.0%$/m);
    expect(readEffectiveWindow(path.join(folder, "model-profiles.json"), MODEL)).toBe(32_000);
    expect(messageText(server?.requests[0] as RecordedChatRequest, "system")).toBe(HASHHOP_SYSTEM_PROMPT);
    expect(server?.requests[0]?.body.max_tokens).toBeGreaterThan(0);
  });

  test("perfect retriever chart has a line per series", async () => {
    await serve(lookUpChains);

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k,8k,32k", "--hops", "1,2,4", "--samples", "1", "--queries", "2"], env);

    expect(result.code).toBe(0);
    const svg = parseSvg(path.join(folder, "hashhop", `${REPORT_NAME}.svg`)).svg;
    const series = svg.g as Array<{ "data-hops": string; "data-variant": string; polyline: { points: string } }>;
    expect(series.map((group) => `${group["data-hops"]} ${group["data-variant"]}`)).toEqual(["1 cot", "1 skip", "2 cot", "2 skip", "4 cot", "4 skip"]);
    for (const group of series) expect(group.polyline.points.split(" ")).toHaveLength(3);
    const texts = (svg.text as Array<{ "#text": string }>).map((text) => String(text["#text"]));
    expect(texts).toContain("Context size (tokens, log scale)");
    expect(texts).toContain("Accuracy (exact match)");
  });

  test("random guesser scores near 0%", async () => {
    await serve(guessRandomly("guesser"));

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k,8k", "--hops", "1,2", "--samples", "5", "--queries", "4", "--write-profile"], env);

    expect(result.code).toBe(0);
    const rows = readCsv(path.join(folder, "hashhop", `${REPORT_NAME}.csv`));
    const queries = rows.reduce((sum, row) => sum + Number(row.queries), 0);
    const correct = rows.reduce((sum, row) => sum + Number(row.correct), 0);
    expect(queries).toBe(2 * 2 * 2 * 5 * 4);
    expect(correct / queries).toBeLessThan(0.05);
    expect(result.stdout).toContain("no measured size reached 90% 2-hop accuracy");
    expect(readEffectiveWindow(path.join(folder, "model-profiles.json"), MODEL)).toBeUndefined();
  });

  test("concurrency cap limits open requests", async () => {
    let open = 0;
    let maxOpen = 0;
    await serve(async (request) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      await new Promise((resolve) => setTimeout(resolve, 30));
      open -= 1;
      return lookUpChains(request);
    });

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "1,2", "--samples", "4", "--concurrency", "2"], env);

    expect(result.code).toBe(0);
    expect(server?.requests).toHaveLength(16);
    expect(maxOpen).toBe(2);
  });

  test("token cap stops before passing it", async () => {
    await serve(lookUpChains);

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "1", "--samples", "20", "--max-tokens", "12000"], env);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Stopped early: the budget cannot cover the next request, so \d+ of 40 requests were not run/);
    const requests = server?.requests.length ?? 0;
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThan(40);
    const spent = /Budget used: (\d+) input and (\d+) output tokens/.exec(result.stdout);
    expect(Number(spent?.[1]) + Number(spent?.[2])).toBeLessThanOrEqual(12_000);
  });

  test("dollar cap stops before passing it", async () => {
    await serve(lookUpChains);
    const prices = ["--input-price", "10", "--output-price", "30"];

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "1", "--samples", "20", "--max-cost", "0.1", ...prices], env);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Stopped early: the budget cannot cover the next request");
    const cost = /at most \$(\d+\.\d+)/.exec(result.stdout);
    expect(Number(cost?.[1])).toBeGreaterThan(0);
    expect(Number(cost?.[1])).toBeLessThanOrEqual(0.1);
  });

  test("failing provider stops after five errors", async () => {
    await serve({ status: 401, body: { error: { message: "Incorrect API key provided", type: "invalid_request_error" } } });

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "1", "--samples", "20", "--concurrency", "1"], env);

    expect(result.code).toBe(1);
    expect(server?.requests).toHaveLength(5);
    expect(result.stderr).toContain("5 requests in a row failed, the last with: The model call failed after 1 attempt");
    expect(result.stderr).toContain("rejected (HTTP 401): Incorrect API key provided. Check the model id");
    const rows = readCsv(path.join(folder, "hashhop", `${REPORT_NAME}.csv`));
    expect(rows.reduce((sum, row) => sum + Number(row.samples_failed), 0)).toBe(5);
    expect(rows.map((row) => row.accuracy)).toEqual(["", ""]);
  });

  test("hanging provider times out", async () => {
    await serve(() => new Promise<string>(() => {}));

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "1", "--samples", "5", "--timeout", "0.2", "--concurrency", "5"], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the request timed out after 0.2 s");
  });

  test("malformed replies score as wrong", async () => {
    await serve("I cannot find these hashes.\n```\nnothing here\n```");

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "2", "--samples", "2"], env);

    expect(result.code).toBe(0);
    const rows = readCsv(path.join(folder, "hashhop", `${REPORT_NAME}.csv`));
    expect(rows.map((row) => row.accuracy)).toEqual(["0.0000", "0.0000"]);
    expect(rows[0]?.hop_accuracy).toBe("0.0000");
  });

  test("profile keeps other models", async () => {
    await serve(lookUpChains);
    const profilePath = path.join(folder, "profiles", "models.json");
    const other = { effectiveWindow: 8000, hops: 2, threshold: 0.9, variants: ["cot"], accuracyBySize: [], samples: 1, seed: "x", measuredAt: "2025-01-01T00:00:00.000Z" };
    await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "2", "--samples", "1", "--write-profile", "--profile", profilePath], env);
    const stored = JSON.parse(readFileSync(profilePath, "utf8"));
    stored.models["openai:other"] = other;
    writeFileSync(profilePath, JSON.stringify(stored));

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k,8k", "--hops", "2", "--samples", "1", "--write-profile", "--profile", profilePath], env);

    expect(result.code).toBe(0);
    expect(readEffectiveWindow(profilePath, MODEL)).toBe(8_000);
    expect(readEffectiveWindow(profilePath, "openai:other")).toBe(8_000);
    expect(JSON.parse(readFileSync(profilePath, "utf8")).models["openai:other"]).toEqual(other);
  });

  test("invalid profile file stops before requests", async () => {
    await serve(lookUpChains);
    const profilePath = path.join(folder, "broken.json");
    writeFileSync(profilePath, "{ not json");

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "2", "--samples", "1", "--write-profile", "--profile", profilePath], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The model profile file ${profilePath} is not valid JSON`);
    expect(readFileSync(profilePath, "utf8")).toBe("{ not json");
    expect(server?.requests).toHaveLength(0);
  });

  test("unwritable report folder stops before requests", async () => {
    await serve(lookUpChains);
    writeFileSync(path.join(folder, "file"), "");
    const reportDir = path.join(folder, "file", "reports");

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k", "--hops", "2", "--samples", "1", "--report-dir", reportDir], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Failed to write ${reportDir}: ENOTDIR`);
    expect(result.stderr).toContain("Choose another path with --report-dir.");
    expect(server?.requests).toHaveLength(0);
  });

  test("rate limit below one request stops before requests", async () => {
    await serve(lookUpChains);

    const result = await runEval(["hashhop", "--model", MODEL, "--sizes", "2k,8k", "--hops", "2", "--samples", "1", "--tokens-per-minute", "9000"], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--tokens-per-minute 9000 is below one request of size 8k");
    expect(server?.requests).toHaveLength(0);
  });

  test("missing API key is reported", async () => {
    const result = await runEval(["hashhop", "--model", "openai:gpt-4.1", "--sizes", "2k"], env);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("OPENAI_API_KEY is missing: the model openai:gpt-4.1 needs it");
  });
});

describe("magic eval hashhop --generate-only", () => {
  let folder: string;

  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "hashhop-generate-"));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test("writes prompt, hops, variant, queries", async () => {
    const out = path.join(folder, "samples.jsonl");

    const result = await runEval(["hashhop", "--generate-only", "--out", out, "--sizes", "2k", "--hops", "1,3", "--samples", "2", "--queries", "5"], {});

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote 8 samples to ${out}`);
    const lines = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      const record = JSON.parse(line);
      expect(Object.keys(record)).toEqual(["prompt", "hops", "variant", "queries"]);
      expect(["cot", "skip"]).toContain(record.variant);
      expect(record.queries).toHaveLength(5);
      for (const query of record.queries) {
        expect(Object.keys(query)).toEqual(["start", "answer"]);
        expect(query.answer.split(" = ")).toHaveLength(record.variant === "cot" ? record.hops : 1);
      }
    }
  });

  test("same seed writes the same file", async () => {
    const first = path.join(folder, "first.jsonl");
    const second = path.join(folder, "second.jsonl");
    const third = path.join(folder, "third.jsonl");
    const argv = ["hashhop", "--generate-only", "--sizes", "2k", "--hops", "2", "--samples", "3", "--hash-length", "8"];

    await runEval([...argv, "--out", first, "--seed", "alpha"], {});
    await runEval([...argv, "--out", second, "--seed", "alpha"], {});
    await runEval([...argv, "--out", third, "--seed", "beta"], {});

    expect(readFileSync(second, "utf8")).toBe(readFileSync(first, "utf8"));
    expect(readFileSync(third, "utf8")).not.toBe(readFileSync(first, "utf8"));
  });

  test("bad options exit 2 with every problem", async () => {
    const result = await runEval(["hashhop", "--generate-only", "--sizes", "2k,big", "--samples", "0", "--write-profile"], {});

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--sizes: "big" in "2k,big" is not a size in tokens');
    expect(result.stderr).toContain('--samples: "0" is not a whole number from 1 to 100000');
    expect(result.stderr).toContain("Run magic eval hashhop --help");
  });

  test("output path that is a folder exits 1", async () => {
    const result = await runEval(["hashhop", "--generate-only", "--out", folder, "--sizes", "2k", "--samples", "1"], {});

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Failed to write ${folder}: EISDIR`);
    expect(result.stderr).toContain("Choose another path with --out.");
    expect(readdirSync(path.dirname(folder)).filter((name) => name.startsWith(`${path.basename(folder)}.`))).toEqual([]);
  });

  test("target too small exits 1", async () => {
    const result = await runEval(["hashhop", "--generate-only", "--out", path.join(folder, "x.jsonl"), "--sizes", "100", "--hops", "4", "--queries", "10"], {});

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("A target size of 100 tokens holds 1 chains of 4 hops, fewer than the 10 queries per prompt");
    expect(existsSync(path.join(folder, "x.jsonl"))).toBe(false);
  });
});

describe("magic eval command line", () => {
  const magic = path.resolve("bin/magic.js");
  const run = promisify(execFile);

  test("help lists the options", async () => {
    const { stdout } = await run(process.execPath, [magic, "eval", "hashhop", "--help"]);

    expect(stdout).toContain("Usage: magic eval hashhop [options]");
    expect(stdout).toContain("--write-profile");
  });

  test("unknown option exits 2", async () => {
    const failure = await run(process.execPath, [magic, "eval", "hashhop", "--samplez", "3"]).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("Unknown option '--samplez'");
  });

  test("unknown evaluation exits 2", async () => {
    const failure = await run(process.execPath, [magic, "eval", "needle"]).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("Unknown evaluation: needle");
  });
});
