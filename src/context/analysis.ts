import { readFile } from "node:fs/promises";
import { type FileFacts, analyzeContent } from "./file-facts.js";
import { writeFactsEntry } from "./facts-cache.js";
import type { LanguageId } from "./languages.js";
import type { SymbolExtractor } from "./symbols.js";

/** One file to analyze: its bytes come from `content`, or are read from `absolutePath`. */
export interface AnalysisItem {
  key: string;
  language?: LanguageId;
  absolutePath?: string;
  content?: Uint8Array;
  /** Where to store the facts in the cache; nothing is written when absent. */
  entryPath?: string;
}

export interface AnalysisResult {
  key: string;
  facts?: FileFacts;
  /** Why the file could not be read; the file is then left out of the index. */
  error?: string;
}

/** Reads, analyzes and caches one file; a read or write failure is returned, not thrown. */
export async function analyzeItem(extractor: SymbolExtractor, item: AnalysisItem): Promise<AnalysisResult> {
  let content: Uint8Array;
  try {
    content = item.content ?? (await readFile(item.absolutePath ?? ""));
  } catch (error) {
    return { key: item.key, error: `read failed: ${(error as Error).message}` };
  }
  const facts = await analyzeContent(extractor, item.language, content);
  if (item.entryPath) {
    try {
      await writeFactsEntry(item.entryPath, facts);
    } catch (error) {
      return { key: item.key, facts, error: `cache write failed: ${(error as Error).message}` };
    }
  }
  return { key: item.key, facts };
}
