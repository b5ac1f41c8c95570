/** Lines of a failure message kept for the model; the rest is usually diff context or stack. */
const MESSAGE_LINES = 8;
const MESSAGE_CHARACTERS = 600;

/**
 * Shortens a failure message to its first non-blank lines before the stack trace, so that a report of
 * many failures stays small enough for a prompt.
 */
export function summarizeMessage(text: string): string {
  const lines = text.split("\n");
  const stackStart = lines.findIndex(isStackFrame);
  const kept = (stackStart === -1 ? lines : lines.slice(0, stackStart))
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .slice(0, MESSAGE_LINES);
  const message = kept.join("\n");
  return message.length > MESSAGE_CHARACTERS ? `${message.slice(0, MESSAGE_CHARACTERS - 3)}...` : message;
}

/** True for a stack frame line of JavaScript, Java or Python. */
export function isStackFrame(line: string): boolean {
  return /^\s+at\s/.test(line) || /^\s+File ".*", line \d+/.test(line);
}

/** Removes ANSI colour and cursor sequences, which some runners print even with NO_COLOR set. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/\r\n?/g, "\n");
}

/** Reads counts such as "2 failed, 1 skipped, 1 passed" or "2 failed | 1 passed" into a map from word to number. */
export function parseCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/(\d+) ([a-z]+)/gi)) {
    const word = (match[2] as string).toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + Number(match[1]));
  }
  return counts;
}

/** A pattern that matches no line, for blocks that end only at the next header. */
export const NO_END = /(?!)/;

/**
 * Splits output into blocks that start at a line matching `header` (its first group is the title) and
 * run until the next header or a line matching `end`.
 */
export function splitBlocks(output: string, header: RegExp, end: RegExp): Array<{ title: string; body: string[] }> {
  const blocks: Array<{ title: string; body: string[] }> = [];
  let current: { title: string; body: string[] } | undefined;
  for (const line of output.split("\n")) {
    const match = header.exec(line);
    if (match) {
      current = { title: match[1] as string, body: [] };
      blocks.push(current);
    } else if (end.test(line)) {
      current = undefined;
    } else {
      current?.body.push(line);
    }
  }
  return blocks;
}

/** Joins the lines before the first one that matches `stop`. */
export function linesBefore(lines: string[], stop: (line: string) => boolean): string {
  const end = lines.findIndex(stop);
  return (end === -1 ? lines : lines.slice(0, end)).join("\n");
}
