import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { type BareRemote, git, writeFiles } from "../helpers/git-repository.js";

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** Creates a pino logger at debug level that keeps its records in `records`. */
export function captureLog(): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) records.push(JSON.parse(line) as LogRecord);
      callback();
    },
  });
  return { log: pino({ level: "debug" }, sink), records };
}

export function makeTemporaryFolder(prefix: string): { directory: string; cleanup(): void } {
  const directory = mkdtempSync(path.join(tmpdir(), prefix));
  return { directory, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Adds one commit to `main` of a bare remote: files written, paths removed. Returns the commit. */
export function commitToRemote(remote: BareRemote, change: { write?: Record<string, string>; remove?: string[] }, message = "Change files"): string {
  const checkout = remote.checkout("main");
  writeFiles(checkout, change.write ?? {});
  for (const file of change.remove ?? []) git(checkout, "rm", "--quiet", file);
  git(checkout, "add", "--all");
  git(checkout, "commit", "--quiet", "-m", message);
  git(checkout, "push", "--quiet", "origin", "main");
  const commit = git(checkout, "rev-parse", "HEAD").trim();
  rmSync(checkout, { recursive: true, force: true });
  return commit;
}

/** Returns every file under `directory` whose bytes contain one of `secrets`. */
export function filesContaining(directory: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) found.push(...filesContaining(full, secrets));
    else if (entry.isFile()) {
      const content = readFileSync(full, "latin1");
      if (secrets.some((secret) => content.includes(secret))) found.push(full);
    }
  }
  return found;
}

/** Lists every file under `directory`, relative to it. */
export function listTree(directory: string, prefix = ""): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(directory, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...listTree(directory, relative));
    else files.push(relative);
  }
  return files;
}
