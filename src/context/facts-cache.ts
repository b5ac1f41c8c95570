import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { FileFacts } from "./file-facts.js";
import { TAG_QUERIES } from "./tag-queries.js";

/**
 * Bumped by hand when the code that computes `FileFacts` changes. Query text and grammar versions are
 * part of the cache folder's name already, so changing them starts a fresh cache on its own.
 */
const FACTS_FORMAT = 1;

const require = createRequire(import.meta.url);

/** Reads an installed package's version from the package.json above one of its files (some packages do not export it). */
function packageVersion(name: string, exportedFile: string): string {
  let folder = path.dirname(require.resolve(`${name}/${exportedFile}`));
  while (path.basename(folder) !== name.split("/").at(-1) && path.dirname(folder) !== folder) folder = path.dirname(folder);
  return (JSON.parse(readFileSync(path.join(folder, "package.json"), "utf8")) as { version: string }).version;
}

/** Folder name for this build's facts: entries from other query or grammar versions are never read. */
export function factsVersion(): string {
  const fingerprint = JSON.stringify([
    FACTS_FORMAT,
    TAG_QUERIES,
    packageVersion("web-tree-sitter", "web-tree-sitter.wasm"),
    packageVersion("@vscode/tree-sitter-wasm", "package.json"),
    packageVersion("tree-sitter-c", "package.json"),
    packageVersion("gpt-tokenizer", "package.json"),
  ]);
  return `facts-${createHash("sha1").update(fingerprint).digest("hex").slice(0, 12)}`;
}

/** Builds the cache key of a file's facts from its content's blob id and the grammar it is parsed with. */
export function factsKey(blobId: string, language: string | undefined): string {
  return `${blobId}-${language ?? "text"}`;
}

/**
 * File facts on disk, one JSON file per key under `<cacheDir>/<factsVersion>/<first two hex digits>/`,
 * with an in-memory layer so that indexing many commits of one repository reads each entry once.
 * Entries are written to a temporary name and renamed, so concurrent runs sharing the folder never see
 * a partial entry. An unreadable or invalid entry counts as a miss.
 * TODO: nothing evicts entries, so the folder grows with every new blob of every repository indexed.
 */
export class FactsCache {
  readonly folder: string;
  private readonly memory = new Map<string, FileFacts>();

  constructor(cacheDir: string) {
    this.folder = path.join(cacheDir, factsVersion());
  }

  entryPath(key: string): string {
    return path.join(this.folder, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<FileFacts | undefined> {
    const remembered = this.memory.get(key);
    if (remembered) return remembered;
    const text = await readFile(this.entryPath(key), "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    const facts = parseEntry(text);
    if (facts) this.memory.set(key, facts);
    return facts;
  }

  /** Stores facts in memory only; `writeFactsEntry` puts them on disk, usually from a worker thread. */
  remember(key: string, facts: FileFacts): void {
    this.memory.set(key, facts);
  }
}

function parseEntry(text: string): FileFacts | undefined {
  try {
    const parsed = FileFacts.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // A truncated entry from a full disk or a crash is a cache miss; the file is parsed again and rewritten.
    return undefined;
  }
}

/** Writes one entry atomically: a temporary file in the same folder, then a rename over the final name. */
export async function writeFactsEntry(entryPath: string, facts: FileFacts): Promise<void> {
  await mkdir(path.dirname(entryPath), { recursive: true });
  const temporary = `${entryPath}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, JSON.stringify(facts));
  await rename(temporary, entryPath);
}
