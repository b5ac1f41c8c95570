import path from "node:path";

const TEST_FOLDERS = new Set(["test", "tests", "__tests__", "spec", "specs", "testing", "unittests", "test_utils"]);
const TEST_NAME = /^test_.+|.+_test\.[^.]+$|.+\.(test|spec)\.[^.]+$|.+Tests?\.[^.]+$|.+_spec\.rb$|^conftest\.py$/;

/** Tells whether a path is a test file by its folder or name, in the conventions of common test frameworks. */
export function isTestPath(filePath: string): boolean {
  const segments = filePath.split("/");
  const name = segments.at(-1) ?? "";
  return TEST_NAME.test(name) || segments.slice(0, -1).some((segment) => TEST_FOLDERS.has(segment.toLowerCase()));
}

/** Derives the name a test's subject would have: `test_parser.py`, `parser_test.go` and `Parser.test.ts` give "parser". */
export function subjectStem(testPath: string): string {
  const name = path.posix.basename(testPath);
  const stem = name
    .replace(/\.[^.]+$/, "")
    .replace(/\.(test|spec)$/, "")
    .replace(/^test_|_test$|_spec$|Tests?$/, "");
  return stem.toLowerCase();
}

function sourceStem(filePath: string): string {
  return path.posix.basename(filePath).replace(/\.[^.]+$/, "").toLowerCase();
}

/**
 * Maps each test file to the source file it tests: a non-test file with the same stem, preferring the
 * one whose folder shares the most leading segments with the test's. Tests with no such file map to nothing.
 */
export function matchTestsToSubjects(paths: readonly string[]): Map<string, string> {
  const sourcesByStem = new Map<string, string[]>();
  for (const filePath of paths) {
    if (isTestPath(filePath)) continue;
    const stem = sourceStem(filePath);
    const list = sourcesByStem.get(stem);
    if (list) list.push(filePath);
    else sourcesByStem.set(stem, [filePath]);
  }
  const subjects = new Map<string, string>();
  for (const filePath of paths) {
    if (!isTestPath(filePath)) continue;
    const candidates = sourcesByStem.get(subjectStem(filePath));
    if (!candidates) continue;
    const extension = path.posix.extname(filePath);
    const best = [...candidates].sort(
      (left, right) =>
        Number(path.posix.extname(right) === extension) - Number(path.posix.extname(left) === extension) ||
        sharedPrefixLength(filePath, right) - sharedPrefixLength(filePath, left) ||
        left.length - right.length ||
        (left < right ? -1 : 1),
    )[0];
    if (best) subjects.set(filePath, best);
  }
  return subjects;
}

function sharedPrefixLength(left: string, right: string): number {
  const leftSegments = left.split("/");
  const rightSegments = right.split("/");
  let length = 0;
  while (length < leftSegments.length - 1 && length < rightSegments.length - 1 && leftSegments[length] === rightSegments[length]) length++;
  return length;
}
