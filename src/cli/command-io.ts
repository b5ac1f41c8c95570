import type { Logger } from "pino";
import { type Environment, SettingsEnvironment } from "../config/settings.js";
import { createLogger } from "../logging.js";

/** A stream a command writes to; tests pass one that collects the text. */
export interface CommandOutput {
  write(text: string): void;
  /** True when the stream is a terminal, where progress is drawn in place. */
  isTTY?: boolean;
  columns?: number;
}

export interface CommandIo {
  stdout: CommandOutput;
  stderr: CommandOutput;
}

export const processIo: CommandIo = {
  stdout: { write: (text) => void process.stdout.write(text) },
  stderr: {
    write: (text) => void process.stderr.write(text),
    get isTTY() {
      return Boolean(process.stderr.isTTY);
    },
    get columns() {
      return process.stderr.columns;
    },
  },
};

/**
 * Creates a command's logger on standard error at LOG_LEVEL, else at warn. It redacts like the app's
 * logger, so a failed model call's warning shows the provider's error reply without the request.
 */
export function createCommandLogger(env: Environment, io: CommandIo, invalid: (message: string) => Error): Logger {
  const level = SettingsEnvironment.shape.LOG_LEVEL.safeParse(env.LOG_LEVEL?.trim() || "warn");
  if (!level.success) throw invalid(`LOG_LEVEL "${env.LOG_LEVEL}" is invalid: ${level.error.issues[0]?.message}`);
  return createLogger(level.data, { write: (line: string) => io.stderr.write(line) });
}
