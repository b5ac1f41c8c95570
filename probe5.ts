import { indexRepository } from "./src/context/index-repository.js";
import { rmSync } from "node:fs";
rmSync("/tmp/ctxcache", { recursive: true, force: true });
for (const round of [1, 2]) {
  const t0 = performance.now();
  const index = await indexRepository({ worktree: process.argv[2]!, cacheDir: "/tmp/ctxcache", revision: process.argv[3] });
  console.log(round, index.stats, index.skipped.length, ((performance.now() - t0) / 1000).toFixed(2), "s", (process.memoryUsage().rss / 1e6).toFixed(0), "MB");
}
