import { spawn } from "node:child_process";
import { ContextError } from "./errors.js";

/**
 * Reads blobs through one `git cat-file --batch` process. Returns the contents by blob id; a missing
 * object fails the whole read, because the ids come from the repository's own tree listing.
 */
export async function readBlobs(repository: string, blobIds: string[]): Promise<Map<string, Buffer>> {
  const contents = new Map<string, Buffer>();
  if (blobIds.length === 0) return contents;
  const child = spawn("git", ["-c", "core.fsmonitor=false", "cat-file", "--batch"], { cwd: repository, stdio: ["pipe", "pipe", "pipe"] });
  const parser = new BatchParser((blobId, content) => contents.set(blobId, content));
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => parser.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.end(`${blobIds.join("\n")}\n`);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  }).catch((error: Error) => {
    throw new ContextError("revision-read-failed", `git cat-file could not start in ${repository}: ${error.message}`, { cause: error });
  });
  if (exitCode !== 0 || parser.missing.length > 0) {
    const detail = parser.missing.length > 0 ? `missing objects ${parser.missing.slice(0, 3).join(", ")}` : stderr.trim();
    throw new ContextError("revision-read-failed", `git cat-file failed in ${repository} (exit code ${exitCode}): ${detail}`);
  }
  return contents;
}

/** Splits `git cat-file --batch` output, `<oid> <type> <size>\n<content>\n` per object, across chunk boundaries. */
class BatchParser {
  readonly missing: string[] = [];
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onBlob: (blobId: string, content: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const newline = this.buffer.indexOf(10);
      if (newline === -1) return;
      const header = this.buffer.subarray(0, newline).toString("utf8");
      const [objectId = "", type = "", size = ""] = header.split(" ");
      if (type === "missing") {
        this.missing.push(objectId);
        this.buffer = this.buffer.subarray(newline + 1);
        continue;
      }
      const length = Number(size);
      const end = newline + 1 + length;
      if (this.buffer.length < end + 1) return;
      this.onBlob(objectId, Buffer.from(this.buffer.subarray(newline + 1, end)));
      this.buffer = this.buffer.subarray(end + 1);
    }
  }
}
