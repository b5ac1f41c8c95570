import { parentPort } from "node:worker_threads";
import { type AnalysisItem, type AnalysisResult, analyzeItem } from "./analysis.js";
import { SymbolExtractor } from "./symbols.js";

/** A batch of files from the analysis pool. The reply has one result per item, in the same order. */
export interface WorkerRequest {
  id: number;
  items: AnalysisItem[];
}

export interface WorkerReply {
  id: number;
  results: AnalysisResult[];
}

const port = parentPort;
if (port) {
  const extractor = await SymbolExtractor.create();
  // Batches are analyzed one at a time, in arrival order, so a worker holds one parse tree at a time.
  let queue = Promise.resolve();
  port.on("message", (request: WorkerRequest) => {
    queue = queue.then(async () => {
      const results: AnalysisResult[] = [];
      for (const item of request.items) {
        try {
          results.push(await analyzeItem(extractor, item));
        } catch (error) {
          results.push({ key: item.key, error: `analysis failed: ${(error as Error).message}` });
        }
      }
      port.postMessage({ id: request.id, results } satisfies WorkerReply);
    });
  });
  port.postMessage("ready");
}
