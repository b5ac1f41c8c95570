/** Formats a count with its noun in the right number: `1 test`, `2 tests`, `0 model calls`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
