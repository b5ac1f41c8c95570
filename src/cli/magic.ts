import { existsSync } from "node:fs";
import { SettingsError } from "../config/settings.js";
import { evalCommand } from "./eval-hashhop.js";
import { serve } from "./serve.js";

const USAGE = `Usage: magic <command>

Commands:
  serve    Start the GitHub App webhook server (or the registration page when no app is configured).
  eval     Run an evaluation of a model: magic eval hashhop --help.
`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  // Probot's registration page writes the app's credentials to .env in the working folder.
  if (existsSync(".env")) process.loadEnvFile(".env");
  switch (command) {
    case "serve":
      await serve(process.env);
      return -1;
    case "eval":
      return evalCommand(argv.slice(1), process.env);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
} catch (error) {
  if (error instanceof SettingsError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
