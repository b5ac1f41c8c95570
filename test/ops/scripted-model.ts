import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./read-body.js";

export interface ModelRequest {
  /** Issue number found as `Issue N:` in the prompt, when the test's issue titles carry it. */
  issue: number | undefined;
  messages: unknown;
}

export interface ScriptedModel {
  /** Base URL to give as MAGIC_MODEL_BASE_URL, ending in /v1. */
  baseUrl: string;
  requests: ModelRequest[];
  close(): Promise<void>;
}

/**
 * Starts a loopback server that speaks OpenAI's chat completions API (non-streaming), for app processes
 * started by tests. `reply` may return a promise, so a test can hold a request open while it kills
 * or stops the process that made it.
 */
export async function startScriptedModel(reply: (request: ModelRequest) => string | Promise<string>): Promise<ScriptedModel> {
  const requests: ModelRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
      response.writeHead(404).end();
      return;
    }
    const body = JSON.parse(await readBody(request)) as { model: string; messages: unknown };
    const issueMatch = /Issue (\d+):/.exec(JSON.stringify(body.messages));
    const recorded: ModelRequest = { issue: issueMatch ? Number(issueMatch[1]) : undefined, messages: body.messages };
    requests.push(recorded);
    const content = await reply(recorded);
    if (response.destroyed) return;
    const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
