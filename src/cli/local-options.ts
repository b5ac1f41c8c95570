import { homedir } from "node:os";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";
import type { Environment } from "../config/settings.js";
import { describeLocalFailure, LocalRunError, type LocalRunErrorCode } from "../local/errors.js";
import type { CommandIo } from "./command-io.js";

/** Folder of mirrors, worktrees and caches of local commands when MAGIC_WORK_DIR is not set. */
export function localWorkDir(env: Environment): string {
  const configured = env.MAGIC_WORK_DIR?.trim();
  return path.resolve(configured || path.join(homedir(), ".cache", "magic-pr"));
}

/** Builds the schema of a whole-number option within bounds, parsed from its command-line text. */
export function wholeNumberOption(flag: string, min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, { error: `${flag} must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().min(min, { error: `${flag} must be a whole number from ${min} to ${max}` }).max(max, { error: `${flag} must be a whole number from ${min} to ${max}` }));
}

/** Builds the schema of a positive amount of US dollars up to `max`, parsed from its command-line text. */
export function dollarsOption(flag: string, max: number) {
  return z
    .string()
    .regex(/^\d+(\.\d+)?$|^\.\d+$/, { error: `${flag} must be an amount of US dollars such as 2 or 0.5` })
    .transform(Number)
    .pipe(z.number().positive({ error: `${flag} must be above 0` }).max(max, { error: `${flag} must be at most ${max} US dollars` }));
}

export const nonEmptyOption = (flag: string, example: string) => z.string().trim().min(1, { error: `${flag} is empty: ${example}` });

/**
 * Parses argv with node's parseArgs, turning its errors (unknown option, missing value) into an invalid
 * option error that points to the command's help.
 */
export function parseCommandArgs(argv: string[], options: NonNullable<ParseArgsConfig["options"]>, command: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new LocalRunError("invalid-option", `${(error as Error).message.replace(/\. To specify a positional argument.*$/, "")}. See magic ${command} --help.`);
  }
}

/** Writes a failed command's message and returns its exit code: 2 for an invalid option, else 1. */
/** Failures caused by the user's input, which exit with 2 so that scripts can tell them from failed work. */
const BAD_INPUT_CODES: ReadonlySet<LocalRunErrorCode> = new Set(["invalid-option", "invalid-tasks"]);

export function reportFailure(error: unknown, command: string, io: CommandIo): number {
  if (error instanceof LocalRunError) {
    io.stderr.write(`${error.message}\n`);
    return BAD_INPUT_CODES.has(error.code) ? 2 : 1;
  }
  io.stderr.write(`magic ${command} failed: ${describeLocalFailure(error)}\n`);
  return 1;
}

/** Validates parsed option values with a schema and throws one error that lists every problem. */
export function validateOptions<Schema extends z.ZodType>(schema: Schema, values: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const problems = [...new Set(parsed.error.issues.map((issue) => issue.message))];
  throw new LocalRunError("invalid-option", problems.length === 1 ? (problems[0] as string) : `Invalid options:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
}
