import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { startServer, WEBHOOK_PATH, type ServerHandle } from "../../src/cli/serve.js";
import { defaultOperationsSettings, type Settings } from "../../src/config/settings.js";
import type { ModelSettings } from "../../src/llm/model-settings.js";
import { ProcessSandbox } from "../../src/sandbox/process-sandbox.js";
import type { Sandbox, SandboxResult, SandboxRunOptions } from "../../src/sandbox/sandbox.js";
import { testPrivateKey } from "./app-key.js";
import { APP_ID } from "./github-api.js";
import { WEBHOOK_SECRET } from "./webhooks.js";

export interface AppHarness {
  server: ServerHandle;
  webhookUrl: string;
  workDir: string;
  sandbox: InspectingSandbox;
  close(): Promise<void>;
}

/** Starts the real server on a loopback port with a model at `modelBaseUrl`. */
export async function startApp(modelBaseUrl: string, settingsOverride: Partial<Settings> = {}): Promise<AppHarness> {
  const workDir = mkdtempSync(path.join(tmpdir(), "magic-work-"));
  const sandbox = new InspectingSandbox(new ProcessSandbox());
  const settings: Settings = {
    appId: APP_ID,
    privateKey: testPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    model: scriptedModelSettings(modelBaseUrl),
    concurrency: 2,
    workDir,
    maxMirrorBytes: 1e9,
    triggerLabel: "magic",
    statusIntervalMs: 0,
    budgetCeilings: { usd: 10, minutes: 60 },
    sandbox: { kind: "process", readOnlyPaths: [] },
    port: 0,
    host: "127.0.0.1",
    logLevel: "silent",
    operations: defaultOperationsSettings(),
    ...settingsOverride,
  };
  const server = await startServer(settings, { sandbox, unthrottled: true, log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }) });
  return {
    server,
    webhookUrl: `${server.url}${WEBHOOK_PATH}`,
    workDir,
    sandbox,
    close: async () => {
      await server.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Model settings for the scripted loopback model server, with made-up prices so that runs have a cost. */
export function scriptedModelSettings(baseUrl: string): ModelSettings {
  return {
    modelId: "openai-compatible:scripted-model",
    fallbackModelIds: [],
    allowedModelIds: [],
    providers: { openaiCompatible: { baseUrl } },
    factsTable: { "openai-compatible:scripted-model": { contextWindow: 128_000, prices: { input: 1, output: 2 } } },
    timeoutMs: 30_000,
    retry: { maxRetries: 0, baseDelayMs: 10, maxDelayMs: 100 },
  };
}

/**
 * Wraps a sandbox and, before each command, reads every file of the worktree (`.git` included) and
 * the command's environment, recording where a secret appears.
 */
export class InspectingSandbox implements Sandbox {
  readonly kind = "inspecting";
  readonly secretSightings: string[] = [];
  readonly commands: string[][] = [];
  private secrets: string[] = [];

  constructor(private readonly inner: Sandbox) {}

  watchFor(...secrets: string[]): void {
    this.secrets = secrets;
  }

  async run(command: string[], options: SandboxRunOptions): Promise<SandboxResult> {
    this.commands.push(command);
    for (const file of listFiles(options.cwd)) {
      const text = readFileSync(file, "latin1");
      for (const secret of this.secrets) if (text.includes(secret)) this.secretSightings.push(file);
    }
    const environment = JSON.stringify(options.env ?? {});
    for (const secret of this.secrets) if (environment.includes(secret)) this.secretSightings.push("sandbox environment");
    return this.inner.run(command, options);
  }
}

export function listFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(full));
    else if (entry.isFile() && statSync(full).size < 5_000_000) files.push(full);
  }
  return files;
}
