/**
 * Sends a burst of signed webhooks to a `magic serve` process (embedded queue) with GitHub and the
 * model on loopback, waits for every run to finish, and prints acknowledgement latency and run counts.
 *
 *   npm run bench:webhooks [-- --labels 150 --duplicates 100 --comments 250 --in-flight 50]
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { sign } from "@octokit/webhooks-methods";
import { BUGGY_PROJECT, createBareRemote } from "../test/helpers/git-repository.js";
import { INSTALLATION_ID } from "../test/helpers/github-api.js";
import { searchReplaceBlock } from "../test/helpers/model-server.js";
import { examplePayload, labeledIssuePayload, WEBHOOK_SECRET } from "../test/helpers/webhooks.js";
import { appEnvironment, startAppProcess, waitUntil } from "../test/ops/app-process.js";
import { startFakeGitHub } from "../test/ops/fake-github.js";
import { startScriptedModel } from "../test/ops/scripted-model.js";

interface SignedWebhook {
  event: string;
  deliveryId: string;
  body: string;
  signature: string;
}

const { values: options } = parseArgs({
  options: {
    labels: { type: "string", default: "150" },
    duplicates: { type: "string", default: "100" },
    comments: { type: "string", default: "250" },
    "in-flight": { type: "string", default: "50" },
    concurrency: { type: "string", default: "4" },
  },
});
const labels = Number(options.labels);
const duplicates = Number(options.duplicates);
const comments = Number(options.comments);
const inFlight = Number(options["in-flight"]);

const github = await startFakeGitHub();
const remote = createBareRemote(BUGGY_PROJECT);
const model = await startScriptedModel(() => searchReplaceBlock("src/math.js", "  return a - b;", "  return a + b;"));
const workDir = mkdtempSync(path.join(tmpdir(), "magic-bench-"));
github.configs.set("octo-org/calculator", 'test_command: grep -q "a + b" src/math.js\ncandidates: 1\n');
const server = await startAppProcess(
  "serve",
  appEnvironment({ githubUrl: github.url, modelBaseUrl: model.baseUrl, workDir, extra: { MAGIC_CONCURRENCY: options.concurrency as string, LOG_LEVEL: "info" } }),
);

try {
  const webhooks = await buildBurst();
  const latencies = await sendBurst(new URL(`${server.url}/api/github/webhooks`), webhooks);
  const serverSide = await serverLatencyShare(0.1);
  const eventLoopLag = await metricValue("nodejs_eventloop_lag_max_seconds");
  await waitUntil("every labelled issue has a finished run", () => finishedRuns() === labels, 600_000);
  const started = server.logs.filter((line) => line.msg === "run started");
  const issuesStarted = new Set(started.map((line) => line.issue)).size;
  const pullHeads = new Set(github.pullRequestCreations.map((creation) => creation.head)).size;
  const duplicateRuns = started.length - issuesStarted + (github.pullRequestCreations.length - pullHeads);
  const failedAcks = latencies.filter((entry) => entry.status !== 200).length;
  if (failedAcks > 0 || github.unexpected.length > 0) {
    process.stderr.write(`non-200 acknowledgements: ${failedAcks}; unexpected GitHub requests: ${github.unexpected.length}\n`);
  }
  const sorted = latencies.map((entry) => entry.ms).sort((a, b) => a - b);
  process.stdout.write(
    `server side: ${(serverSide * 100).toFixed(1)}% of webhooks answered within 100 ms of arrival; event loop lag max ${(eventLoopLag * 1000).toFixed(0)} ms\n`,
  );
  process.stdout.write(
    `webhooks: sent=${webhooks.length} ack-p50=${percentile(sorted, 50).toFixed(1)}ms ack-p99=${percentile(sorted, 99).toFixed(1)}ms runs=${started.length} duplicates=${duplicateRuns}\n`,
  );
} finally {
  await server.stop();
  await model.close();
  await github.close();
  remote.cleanup();
  rmSync(workDir, { recursive: true, force: true });
}

/** Returns the share of webhooks the server responded to within `seconds`, from its own latency histogram. */
async function serverLatencyShare(seconds: number): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  const within = sum(new RegExp(`^magic_webhook_response_seconds_bucket\\{le="${seconds}",[^}]*\\} (\\d+)$`, "gm"));
  const all = sum(/^magic_webhook_response_seconds_count\{[^}]*\} (\d+)$/gm);
  return all === 0 ? Number.NaN : within / all;
}

async function metricValue(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

function finishedRuns(): number {
  return server.logs.filter((line) => line.msg === "run outcome recorded").length;
}

/** Signs every webhook before the clock starts: labels on distinct issues, redeliveries of some, and comments. */
async function buildBurst(): Promise<SignedWebhook[]> {
  const burst: Array<{ event: string; deliveryId: string; payload: unknown }> = [];
  for (let issue = 1; issue <= labels; issue++) {
    const payload = labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, issueNumber: issue, title: `Issue ${issue}: add() subtracts` });
    burst.push({ event: "issues", deliveryId: randomUUID(), payload });
  }
  for (let index = 0; index < duplicates; index++) burst.push({ ...burst[index % labels]! });
  for (let index = 0; index < comments; index++) {
    const payload = examplePayload("issue_comment", "created");
    payload.installation = { id: INSTALLATION_ID };
    payload.issue = { ...payload.issue, number: (index % labels) + 1 };
    burst.push({ event: "issue_comment", deliveryId: randomUUID(), payload });
  }
  shuffle(burst);
  return Promise.all(
    burst.map(async ({ event, deliveryId, payload }) => {
      const body = JSON.stringify(payload);
      return { event, deliveryId, body, signature: await sign(WEBHOOK_SECRET, body) };
    }),
  );
}

/** Sends with `inFlight` requests open at a time over keep-alive connections. */
async function sendBurst(url: URL, webhooks: SignedWebhook[]): Promise<Array<{ ms: number; status: number }>> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const results: Array<{ ms: number; status: number }> = [];
  let next = 0;
  const sender = async () => {
    while (next < webhooks.length) {
      const webhook = webhooks[next++]!;
      results.push(await post(url, webhook, agent));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  agent.destroy();
  return results;
}

function post(url: URL, webhook: SignedWebhook, agent: Agent): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const outgoing = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(webhook.body),
          "x-github-event": webhook.event,
          "x-github-delivery": webhook.deliveryId,
          "x-hub-signature-256": webhook.signature,
          "user-agent": "GitHub-Hookshot/bench",
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ ms: performance.now() - startedAt, status: response.statusCode ?? 0 }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(webhook.body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** Deterministic shuffle, so two runs send the same order. */
function shuffle<T>(items: T[]): void {
  let seed = 42;
  for (let index = items.length - 1; index > 0; index--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = seed % (index + 1);
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
}
