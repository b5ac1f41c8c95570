import { tool } from "ai";
import { z } from "zod";

const relativePath = z.string().min(1).describe("Path relative to the repository root, such as src/index.ts");

/** Input schemas of the model's tools; each call is validated against these before it runs. */
export const ToolInputs = {
  read_file: z.strictObject({
    path: relativePath,
    start_line: z.int().min(1).optional().describe("First line to show, 1-based; default 1"),
    end_line: z.int().min(1).optional().describe("Last line to show; at most 400 lines are shown per call"),
  }),
  list_folder: z.strictObject({
    path: z.string().default(".").describe("Folder relative to the repository root; default the root"),
  }),
  search_code: z.strictObject({
    pattern: z.string().min(1).describe("Regular expression in ripgrep syntax"),
    path: z.string().optional().describe("Folder or file to search in; default the whole repository"),
    glob: z.string().optional().describe("Only files whose path matches this glob, such as *.py"),
    case_insensitive: z.boolean().optional(),
  }),
  edit_file: z.strictObject({
    path: relativePath,
    search: z.string().min(1).describe("Exact lines to replace, copied from the file, unique in it"),
    replace: z.string().describe("The new lines"),
  }),
  write_file: z.strictObject({
    path: relativePath,
    content: z.string().describe("The whole content of the file"),
  }),
  run_tests: z.strictObject({
    paths: z
      .array(z.string().min(1))
      .max(50)
      .optional()
      .describe("Test files to run; omit to run the whole suite. Runners that cannot take files run the whole suite."),
  }),
  finish: z.strictObject({
    summary: z.string().min(1).describe("What you changed and why, for the pull request"),
  }),
} as const;

export type ToolName = keyof typeof ToolInputs;
export type ToolInput<Name extends ToolName> = z.infer<(typeof ToolInputs)[Name]>;

const DESCRIPTIONS: Record<ToolName, string> = {
  read_file: "Show lines of a file with their line numbers.",
  list_folder: "List the files and folders in a folder.",
  search_code: "Search file contents with a regular expression; returns matching lines as path:line:text.",
  edit_file: "Replace one unique block of lines in an existing file.",
  write_file: "Create a file, or replace the whole content of a file.",
  run_tests: "Run the repository's tests, or some test files, and get the failing tests with their messages.",
  finish: "End your work when the change is complete; give a short summary.",
};

/** Builds the tool set sent with every request; the tools have no `execute`, so the agent runs each call itself. */
export function agentTools() {
  return {
    read_file: tool({ description: DESCRIPTIONS.read_file, inputSchema: ToolInputs.read_file }),
    list_folder: tool({ description: DESCRIPTIONS.list_folder, inputSchema: ToolInputs.list_folder }),
    search_code: tool({ description: DESCRIPTIONS.search_code, inputSchema: ToolInputs.search_code }),
    edit_file: tool({ description: DESCRIPTIONS.edit_file, inputSchema: ToolInputs.edit_file }),
    write_file: tool({ description: DESCRIPTIONS.write_file, inputSchema: ToolInputs.write_file }),
    run_tests: tool({ description: DESCRIPTIONS.run_tests, inputSchema: ToolInputs.run_tests }),
    finish: tool({ description: DESCRIPTIONS.finish, inputSchema: ToolInputs.finish }),
  };
}
