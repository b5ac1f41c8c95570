import { existsSync } from "node:fs";
import { SettingsError } from "../config/settings.js";
import { evalCommand } from "./eval-hashhop.js";
import { benchCommand } from "./bench.js";
import { runCommand } from "./run-local.js";
import { serve } from "./serve.js";
import { abortOnSignal } from "./signals.js";
import { worker } from "./worker.js";

const USAGE = `Usage: magic <command>

Commands:
  serve    Start the GitHub App webhook server (or the registration page when no app is configured).
           Without REDIS_URL it also runs the queue; with REDIS_URL it only enqueues.
  worker   Take jobs from the Redis queue named by REDIS_URL; start as many as needed, on any machine.
  run      Run the agent on a local repository and an issue, without GitHub: magic run --help.
  bench    Measure a model on benchmark tasks or a repository's history: magic bench --help.
  eval     Run an evaluation of a model: magic eval hashhop --help.
`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  // Probot's registration page writes the app's credentials to .env in the working folder.
  if (existsSync(".env")) process.loadEnvFile(".env");
  switch (command) {
    case "serve":
      await serve(process.env);
      return 0;
    case "worker":
      await worker(process.env);
      return 0;
    case "run":
      return runCommand(argv.slice(1), process.env, abortOnSignal());
    case "bench":
      return benchCommand(argv.slice(1), process.env, abortOnSignal());
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
  // Exits even when a library leaves a timer or socket open after a clean shutdown.
  process.exit(code);
} catch (error) {
  if (error instanceof SettingsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
