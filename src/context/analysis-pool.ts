import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { type AnalysisItem, type AnalysisResult, analyzeItem } from "./analysis.js";
import { ContextError } from "./errors.js";
import type { WorkerReply, WorkerRequest } from "./parse-worker.js";
import { SymbolExtractor } from "./symbols.js";

/** Analyzes files in worker threads or, with no workers, in the calling thread. */
export interface Analyzer {
  analyze(items: AnalysisItem[]): Promise<AnalysisResult[]>;
  close(): Promise<void>;
}

/** Items per message to a worker; batches keep the message overhead small next to the parse time. */
const BATCH_ITEMS = 24;
const BATCH_BYTES = 1_000_000;
/** Batches queued per worker, so that a worker seldom waits for the main thread between two batches. */
const BATCHES_IN_FLIGHT = 2;

/**
 * Analyzes all items with `workers` threads. When the threads fail (they cannot start, or one crashes),
 * it logs the failure and analyzes everything again in the calling thread, so indexing only gets slower.
 */
export async function analyzeAll(
  items: AnalysisItem[],
  workers: number,
  log?: Logger,
  create: (workers: number) => Promise<Analyzer> = createAnalyzer,
): Promise<AnalysisResult[]> {
  try {
    return await analyzeWith(await create(workers), items);
  } catch (error) {
    if (workers <= 0 || !(error instanceof ContextError) || error.code !== "worker-failed") throw error;
    log?.warn({ err: error, workers, files: items.length }, "parse workers failed; parsing in the calling thread instead");
    return analyzeWith(await create(0), items);
  }
}

async function analyzeWith(analyzer: Analyzer, items: AnalysisItem[]): Promise<AnalysisResult[]> {
  try {
    return await analyzer.analyze(items);
  } finally {
    await analyzer.close();
  }
}

/** One extractor for all in-thread analyzers of the process, so grammars load once. */
let sharedExtractor: Promise<SymbolExtractor> | undefined;

/** Creates an analyzer with `workers` worker threads, or one that works in this thread when `workers` is 0. */
export async function createAnalyzer(workers: number): Promise<Analyzer> {
  if (workers <= 0) {
    sharedExtractor ??= SymbolExtractor.create();
    const extractor = await sharedExtractor;
    return {
      analyze: async (items) => {
        const results: AnalysisResult[] = [];
        for (const item of items) results.push(await analyzeItem(extractor, item));
        return results;
      },
      close: async () => {},
    };
  }
  const threads = await Promise.all(Array.from({ length: workers }, () => startWorker()));
  return {
    analyze: (items) => analyzeInWorkers(threads, items),
    close: async () => {
      await Promise.all(threads.map((thread) => thread.terminate()));
    },
  };
}

/**
 * Starts one worker. From compiled JavaScript the worker file runs as it is. From TypeScript sources
 * (tests, `tsx`) the worker first registers tsx's loader, because a worker does not inherit it.
 */
async function startWorker(): Promise<Worker> {
  const fromSource = import.meta.url.endsWith(".ts");
  const workerUrl = new URL(fromSource ? "./parse-worker.ts" : "./parse-worker.js", import.meta.url);
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})` +
          `.then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`,
        { eval: true },
      )
    : new Worker(workerUrl);
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", (error) => reject(new ContextError("worker-failed", `The parse worker failed to start: ${error.message}`, { cause: error })));
    worker.once("exit", (code) => reject(new ContextError("worker-failed", `The parse worker exited with code ${code} while starting.`)));
  });
  detachListeners(worker);
  return worker;
}

function analyzeInWorkers(threads: Worker[], items: AnalysisItem[]): Promise<AnalysisResult[]> {
  const batches = toBatches(items);
  const results = new Map<number, AnalysisResult[]>();
  let next = 0;
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      for (const thread of threads) detachListeners(thread);
      reject(error instanceof ContextError ? error : new ContextError("worker-failed", `A parse worker failed: ${error.message}`, { cause: error }));
    };
    const send = (thread: Worker): void => {
      if (next >= batches.length) return;
      const id = next++;
      const request: WorkerRequest = { id, items: batches[id] ?? [] };
      thread.postMessage(request);
    };
    for (const thread of threads) {
      thread.on("message", (reply: WorkerReply) => {
        results.set(reply.id, reply.results);
        if (results.size === batches.length) {
          for (const worker of threads) detachListeners(worker);
          resolve(batches.flatMap((_, id) => results.get(id) ?? []));
          return;
        }
        send(thread);
      });
      thread.on("error", fail);
      thread.on("exit", (code) => fail(new ContextError("worker-failed", `A parse worker exited with code ${code}.`)));
      for (let slot = 0; slot < BATCHES_IN_FLIGHT; slot++) send(thread);
    }
    if (batches.length === 0) resolve([]);
  });
}

/** Removes this module's listeners; `removeAllListeners()` would also drop Node's own, which keep the message port working. */
function detachListeners(worker: Worker): void {
  for (const event of ["message", "error", "exit"]) worker.removeAllListeners(event);
}

function toBatches(items: AnalysisItem[]): AnalysisItem[][] {
  const batches: AnalysisItem[][] = [];
  let current: AnalysisItem[] = [];
  let bytes = 0;
  for (const item of items) {
    current.push(item);
    bytes += item.content?.byteLength ?? 0;
    if (current.length >= BATCH_ITEMS || bytes >= BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
