import { createRequire } from "node:module";
import path from "node:path";

/** Languages whose files are parsed for symbols; every other text file takes part by name and text only. */
export type LanguageId = "typescript" | "tsx" | "javascript" | "python" | "go" | "rust" | "java" | "c" | "cpp" | "csharp" | "ruby" | "php";

const EXTENSIONS: Record<string, LanguageId> = {
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascript",
  ".py": "python",
  ".pyi": "python",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".c": "c",
  ".h": "c",
  ".cc": "cpp",
  ".cpp": "cpp",
  ".cxx": "cpp",
  ".c++": "cpp",
  ".hh": "cpp",
  ".hpp": "cpp",
  ".hxx": "cpp",
  ".cs": "csharp",
  ".rb": "ruby",
  ".rake": "ruby",
  ".php": "php",
};

const FILE_NAMES: Record<string, LanguageId> = { Rakefile: "ruby", Gemfile: "ruby" };

/** Returns the language whose grammar parses this path, or undefined for a text-only file. */
export function languageForPath(filePath: string): LanguageId | undefined {
  const name = path.posix.basename(filePath);
  return FILE_NAMES[name] ?? EXTENSIONS[path.posix.extname(name).toLowerCase()];
}

/**
 * Grammar files. @vscode/tree-sitter-wasm (maintained by the VS Code team, loads with
 * web-tree-sitter 0.27) has every language here but C, so C comes from the official tree-sitter-c
 * package, which ships its own WASM build. tree-sitter-wasms has C too, but it only loads with
 * web-tree-sitter 0.25.10 or older, which would pin the whole engine to an old runtime.
 */
const GRAMMAR_MODULES: Record<LanguageId, string> = {
  typescript: "@vscode/tree-sitter-wasm/wasm/tree-sitter-typescript.wasm",
  tsx: "@vscode/tree-sitter-wasm/wasm/tree-sitter-tsx.wasm",
  javascript: "@vscode/tree-sitter-wasm/wasm/tree-sitter-javascript.wasm",
  python: "@vscode/tree-sitter-wasm/wasm/tree-sitter-python.wasm",
  go: "@vscode/tree-sitter-wasm/wasm/tree-sitter-go.wasm",
  rust: "@vscode/tree-sitter-wasm/wasm/tree-sitter-rust.wasm",
  java: "@vscode/tree-sitter-wasm/wasm/tree-sitter-java.wasm",
  c: "tree-sitter-c/tree-sitter-c.wasm",
  cpp: "@vscode/tree-sitter-wasm/wasm/tree-sitter-cpp.wasm",
  csharp: "@vscode/tree-sitter-wasm/wasm/tree-sitter-c-sharp.wasm",
  ruby: "@vscode/tree-sitter-wasm/wasm/tree-sitter-ruby.wasm",
  php: "@vscode/tree-sitter-wasm/wasm/tree-sitter-php.wasm",
};

const require = createRequire(import.meta.url);

/** Resolves the absolute path of a language's WASM grammar inside node_modules. */
export function grammarPath(language: LanguageId): string {
  return require.resolve(GRAMMAR_MODULES[language]);
}

export const LANGUAGES = Object.keys(GRAMMAR_MODULES) as LanguageId[];
