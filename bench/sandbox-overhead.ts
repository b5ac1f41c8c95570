/**
 * Measures what a sandbox adds to a command: runs `true` directly (spawned in its own process group,
 * as every sandbox does) and through each sandbox this host offers, and prints the median and 95th
 * percentile of each. Usage: npm run bench:sandbox -- [runs]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { runProcessGroup } from "../src/sandbox/process-group.js";
import type { Sandbox } from "../src/sandbox/sandbox.js";
import { selectSandbox } from "../src/sandbox/select.js";

const WARMUP_RUNS = 10;

async function time(runs: number, command: () => Promise<{ exitCode: number | null }>): Promise<number[]> {
  const durations: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + runs; run++) {
    const started = performance.now();
    const result = await command();
    if (result.exitCode !== 0) throw new Error(`\`true\` exited with ${result.exitCode} during the benchmark`);
    if (run >= WARMUP_RUNS) durations.push(performance.now() - started);
  }
  return durations.sort((a, b) => a - b);
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 100);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`Invalid number of runs "${process.argv[2]}": expected a whole number of 1 or more`);
  const log = pino({ level: "silent" });
  const folder = await mkdtemp(path.join(tmpdir(), "magic-bench-sandbox-"));
  const home = await mkdtemp(path.join(tmpdir(), "magic-bench-home-"));
  try {
    const sandboxes: Sandbox[] = [await selectSandbox({ kind: "process", log })];
    try {
      sandboxes.push(await selectSandbox({ kind: "bubblewrap", log }));
    } catch (error) {
      console.log(`bubblewrap skipped: ${(error as Error).message}`);
    }
    console.log(`host: ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, Node.js ${process.version}, ${runs} runs of \`true\` after ${WARMUP_RUNS} warm-up runs`);

    const direct = await time(runs, () => runProcessGroup(["true"], { cwd: folder, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 10_000, maxOutputBytes: 4096 }));
    console.log(`direct spawn: median=${percentile(direct, 0.5).toFixed(1)}ms p95=${percentile(direct, 0.95).toFixed(1)}ms`);
    const medians = new Map<string, number>();
    for (const sandbox of sandboxes) {
      const durations = await time(runs, () => sandbox.run(["true"], { cwd: folder, env: { HOME: home }, timeoutMs: 10_000 }));
      medians.set(sandbox.kind, percentile(durations, 0.5));
      console.log(`${sandbox.kind} sandbox: median=${percentile(durations, 0.5).toFixed(1)}ms p95=${percentile(durations, 0.95).toFixed(1)}ms`);
    }

    const isolated = medians.get("bubblewrap") ?? medians.get("process") ?? 0;
    const kind = medians.has("bubblewrap") ? "bubblewrap" : "process";
    console.log(`sandbox-overhead: kind=${kind} direct=${percentile(direct, 0.5).toFixed(1)}ms sandboxed=${isolated.toFixed(1)}ms overhead=${(isolated - percentile(direct, 0.5)).toFixed(1)}ms`);
  } finally {
    await rm(folder, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
}

await main();
