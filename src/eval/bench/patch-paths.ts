/** Returns the paths a git diff touches, on both sides of renames, from its `diff --git` headers and `---`/`+++` lines. */
// NOTE: git quotes paths with spaces or special characters ("a/my file"); such paths are not read,
// so an agent's change to such a test file is not undone before the test patch applies.
export function patchPaths(patch: string): string[] {
  const paths = new Set<string>();
  for (const line of patch.split("\n")) {
    const header = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
    if (header) {
      paths.add(header[1] as string);
      paths.add(header[2] as string);
      continue;
    }
    const side = /^(?:---|\+\+\+) [ab]\/(.+?)\t?$/.exec(line);
    if (side) paths.add(side[1] as string);
  }
  return [...paths];
}
