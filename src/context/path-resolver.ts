/**
 * Finds the indexed files that a path written in free text refers to. Text often has absolute paths
 * from another machine (`/home/ci/project/src/app.py`) or package-relative ones (`com/acme/App.java`).
 * So a path matches a file when the two agree on their last segments, and the longest agreement wins.
 */
export class PathResolver {
  private readonly byName = new Map<string, string[]>();

  constructor(paths: readonly string[]) {
    for (const filePath of paths) {
      const name = filePath.slice(filePath.lastIndexOf("/") + 1);
      const list = this.byName.get(name);
      if (list) list.push(filePath);
      else this.byName.set(name, [filePath]);
    }
  }

  /** Returns the files that share the most trailing segments with `written`; none when even the file name differs. */
  resolve(written: string): string[] {
    const segments = written.split("/").filter((segment) => segment !== "" && segment !== ".");
    const name = segments.at(-1);
    if (!name) return [];
    const candidates = this.byName.get(name) ?? [];
    let best: string[] = [];
    let bestLength = 0;
    for (const candidate of candidates) {
      const length = sharedSuffixLength(segments, candidate.split("/"));
      if (length > bestLength) {
        best = [candidate];
        bestLength = length;
      } else if (length === bestLength) {
        best.push(candidate);
      }
    }
    return best;
  }
}

function sharedSuffixLength(left: string[], right: string[]): number {
  let length = 0;
  while (length < left.length && length < right.length && left[left.length - 1 - length] === right[right.length - 1 - length]) length++;
  return length;
}
