import type { Logger } from "pino";
import { indexRepository } from "./index-repository.js";
import { type PackedContext, packContext } from "./pack-context.js";
import { rankFiles } from "./rank-files.js";
import { tokenCounterFor } from "./tokens.js";

export interface BuildContextOptions {
  worktree: string;
  /** Free text to rank the files against, such as an issue's title, body and comments. */
  query: string;
  tokenBudget: number;
  /** Shared between runs; the run uses `<workDir>/context-cache`. */
  cacheDir: string;
  /** Model id such as `openai:gpt-4.1`, to count tokens with its tokenizer when one is available offline. */
  modelId?: string;
  log?: Logger;
}

/** Indexes the worktree, ranks its files against the query and packs them into the token budget. */
export async function buildContext(options: BuildContextOptions): Promise<PackedContext> {
  const index = await indexRepository({ worktree: options.worktree, cacheDir: options.cacheDir, log: options.log });
  const ranked = rankFiles(index, options.query);
  const packed = packContext(index, ranked, { tokenBudget: options.tokenBudget, countTokens: tokenCounterFor(options.modelId) });
  options.log?.info(
    {
      tokens: packed.tokens,
      tokenBudget: options.tokenBudget,
      wholeFiles: packed.wholeFiles.length,
      mappedFiles: packed.mappedFiles.length,
      listedFiles: packed.listedFiles.length,
      wholeRepository: packed.wholeRepository,
    },
    "context packed",
  );
  return packed;
}
