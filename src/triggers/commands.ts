/** A `/magic` command found at the start of a comment line. */
export type MagicCommand =
  | { name: "stop" }
  | { name: "retry" }
  | { name: "explain"; question: string }
  | { name: "budget"; usd: number }
  | { name: "invalid"; text: string; problem: string };

const COMMAND_LINE = /^[ \t]*\/magic\b(.*)$/m;

/**
 * Finds the first line of a comment that starts with `/magic` and parses it. Returns undefined when
 * no line does, so the comment is a plain instruction. Lines inside fenced code blocks are skipped,
 * because a comment that quotes the command is not issuing it.
 */
export function parseCommand(body: string): MagicCommand | undefined {
  const match = COMMAND_LINE.exec(withoutFencedCode(body));
  if (!match) return undefined;
  const [word = "", ...rest] = (match[1] ?? "").trim().split(/\s+/);
  const argument = rest.join(" ");
  const text = `/magic ${(match[1] ?? "").trim()}`.trim();
  switch (word.toLowerCase()) {
    case "stop":
    case "cancel":
      return { name: "stop" };
    case "retry":
      return { name: "retry" };
    case "explain":
      return { name: "explain", question: body.slice(body.indexOf(match[0]) + match[0].length).trim() || argument };
    case "budget":
      return parseBudget(argument, text);
    default:
      return { name: "invalid", text, problem: word ? `\`${word}\` is not a command.` : "The command is missing." };
  }
}

function parseBudget(argument: string, text: string): MagicCommand {
  const usd = Number(argument.replace(/^\$/, "").trim());
  if (argument.trim() === "" || !Number.isFinite(usd) || usd <= 0) {
    return { name: "invalid", text, problem: `\`/magic budget\` needs a dollar amount above 0, such as \`/magic budget 2.50\`; found \`${argument || "nothing"}\`.` };
  }
  return { name: "budget", usd };
}

/** Help shown for an unknown or invalid command. */
export function commandHelp(problem: string): string {
  return [
    `${problem} Magic PR understands:`,
    "",
    "- `/magic stop`: cancel the run of this issue that is going now.",
    "- `/magic retry`: start over from the default branch.",
    "- `/magic budget <dollars>`: set this issue's budget per run, up to the operator's ceiling.",
    "- `/magic explain [question]`: answer in a comment without changing code.",
    "",
    "Any other comment from someone with write access refines the task and starts a new run.",
  ].join("\n");
}

function withoutFencedCode(body: string): string {
  return body.replace(/^([ \t]*)(```|~~~)[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm, "");
}
