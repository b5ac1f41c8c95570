import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };

export const WEBHOOK_SECRET = "test-webhook-secret";

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown>>;
}

/** Returns a deep copy of GitHub's documented example payload for an event and action. */
export function examplePayload(event: string, action: string): Record<string, any> {
  const group = (examples as unknown as ExampleGroup[]).find((entry) => entry.name === event);
  const example = group?.examples.find((payload) => payload.action === action);
  if (!example) throw new Error(`No example payload for ${event}.${action}`);
  return structuredClone(example) as Record<string, any>;
}

export interface LabeledIssueOptions {
  owner?: string;
  repo?: string;
  cloneUrl: string;
  installationId: number;
  issueNumber?: number;
  title?: string;
  body?: string | null;
  label?: string;
  sender?: string;
  senderType?: "User" | "Bot";
  state?: "open" | "closed";
}

/** Builds an `issues.labeled` payload shaped like GitHub's, pointing at a local clone URL. */
export function labeledIssuePayload(options: LabeledIssueOptions): Record<string, any> {
  const payload = examplePayload("issues", "labeled");
  const owner = options.owner ?? "octo-org";
  const repo = options.repo ?? "calculator";
  const number = options.issueNumber ?? 1;
  payload.installation = { id: options.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc3" };
  payload.label = { ...payload.label, name: options.label ?? "magic" };
  payload.sender = { ...payload.sender, login: options.sender ?? "maintainer", type: options.senderType ?? "User" };
  payload.repository = {
    ...payload.repository,
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: { ...payload.repository.owner, login: owner },
    clone_url: options.cloneUrl,
    default_branch: "main",
  };
  payload.issue = {
    ...payload.issue,
    number,
    title: options.title ?? "add() subtracts instead of adding",
    body: options.body === undefined ? "Calling add(2, 3) returns -1; it should return 5." : options.body,
    state: options.state ?? "open",
    locked: false,
  };
  return payload;
}

/** Posts a payload to the webhook endpoint with GitHub's headers and signature; returns the HTTP status. */
export async function deliverWebhook(url: string, event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<number> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": await sign(WEBHOOK_SECRET, body),
      "user-agent": "GitHub-Hookshot/test",
    },
    body,
  });
  await response.text();
  return response.status;
}
