import path from "node:path";
import type { Definition } from "./symbols.js";

const FENCE_LANGUAGES: Record<string, string> = {
  ts: "ts", mts: "ts", cts: "ts", tsx: "tsx", js: "js", mjs: "js", cjs: "js", jsx: "jsx", py: "python", pyi: "python",
  go: "go", rs: "rust", java: "java", c: "c", h: "c", cc: "cpp", cpp: "cpp", cxx: "cpp", hpp: "cpp", hh: "cpp",
  cs: "csharp", rb: "ruby", php: "php", md: "markdown", json: "json", yml: "yaml", yaml: "yaml", toml: "toml",
  sh: "sh", bash: "sh", html: "html", css: "css", scss: "scss", sql: "sql", kt: "kotlin", swift: "swift",
};

/** Renders one file whole, in a fence longer than any backtick run inside it so the content cannot close it. */
export function renderWholeFile(filePath: string, text: string): string {
  let longestRun = 0;
  for (const match of text.matchAll(/`+/g)) longestRun = Math.max(longestRun, match[0].length);
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  const language = FENCE_LANGUAGES[path.posix.extname(filePath).slice(1).toLowerCase()] ?? "";
  const body = text.endsWith("\n") || text.length === 0 ? text : `${text}\n`;
  return `## ${filePath}\n${fence}${language}\n${body}${fence}\n`;
}

/** Renders a file's definitions as a repository map entry: the path, then one indented signature per line. */
export function renderSignatures(filePath: string, definitions: readonly Definition[]): string {
  const lines = [filePath];
  for (const definition of definitions) lines.push(`${"  ".repeat(definition.depth + 1)}${definition.signature || definition.name}`);
  return `${lines.join("\n")}\n`;
}

/** Renders paths as one line per folder, `folder/: a.ts, b.ts`, folders in path order. */
export function renderTreeLines(paths: readonly string[]): string[] {
  const byFolder = new Map<string, string[]>();
  for (const filePath of [...paths].sort()) {
    const slash = filePath.lastIndexOf("/");
    const folder = slash === -1 ? "" : filePath.slice(0, slash + 1);
    const names = byFolder.get(folder);
    const name = filePath.slice(slash + 1);
    if (names) names.push(name);
    else byFolder.set(folder, [name]);
  }
  return [...byFolder.entries()].map(([folder, names]) => `${folder || "./"}: ${names.join(", ")}\n`);
}
