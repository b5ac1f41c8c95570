import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One chat completions request as the loopback server received it. */
export interface RecordedChatRequest {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  body: Record<string, unknown>;
}

/** A scripted assistant turn that calls tools; `arguments` is sent as given when it is a string. */
export interface ToolCallReply {
  text?: string;
  toolCalls: Array<{ name: string; arguments: unknown }>;
}

export type ChatReply =
  | string
  | ToolCallReply
  | { status: number; body: unknown }
  | ((request: RecordedChatRequest) => string | ToolCallReply | Promise<string | ToolCallReply>);

export interface ModelServer {
  /** Base URL to give as MAGIC_MODEL_BASE_URL, ending in /v1. */
  baseUrl: string;
  requests: RecordedChatRequest[];
  close(): Promise<void>;
}

/**
 * Starts a loopback server that speaks the OpenAI chat completions API (non-streaming) and returns
 * the scripted replies in order. Once the script is used up it repeats the last reply.
 */
export async function startModelServer(script: ChatReply[]): Promise<ModelServer> {
  const requests: RecordedChatRequest[] = [];
  let index = 0;
  const server: Server = createServer(async (request, response) => {
    if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
      response.writeHead(404).end();
      return;
    }
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    const recorded: RecordedChatRequest = { model: String(body.model), messages: body.messages as RecordedChatRequest["messages"], body };
    requests.push(recorded);
    const step = script[Math.min(index++, script.length - 1)];
    if (step !== undefined && typeof step === "object" && "status" in step) {
      response.writeHead(step.status, { "content-type": "application/json" }).end(JSON.stringify(step.body));
      return;
    }
    const reply = typeof step === "function" ? await step(recorded) : (step ?? "");
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(chatCompletion(recorded, reply, requests.length)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function chatCompletion(request: RecordedChatRequest, reply: string | ToolCallReply, sequence: number): Record<string, unknown> {
  const content = typeof reply === "string" ? reply : (reply.text ?? null);
  const toolCalls =
    typeof reply === "string"
      ? undefined
      : reply.toolCalls.map((call, position) => ({
          id: `call_${sequence}_${position}`,
          type: "function",
          function: { name: call.name, arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments) },
        }));
  const promptTokens = Math.ceil(JSON.stringify(request.messages).length / 4);
  const completionTokens = Math.ceil(JSON.stringify(reply).length / 4);
  return {
    id: `chatcmpl-${sequence}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message: { role: "assistant", content, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: toolCalls ? "tool_calls" : "stop" }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Formats one search/replace block the way the model is asked to write it. */
export function searchReplaceBlock(filePath: string, search: string, replace: string): string {
  return `${filePath}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;
}
