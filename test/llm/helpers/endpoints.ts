import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";

/** One scripted response: a status with a JSON (or raw text) body, optionally late, or a dropped connection. */
export type ScriptedReply = { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number } | { drop: true };

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  /** The request body parsed as JSON. */
  body: any;
  /** The request body exactly as sent. */
  raw: string;
}

/** An HTTP endpoint that sends scripted responses in order and records each request. */
export interface ScriptedEndpoint {
  readonly requests: RecordedRequest[];
  reply(...replies: ScriptedReply[]): void;
  /** Throws when a request found no scripted reply or a scripted reply was never used. */
  verify(): void;
  close(): Promise<void>;
}

function encode(body: unknown): string {
  return typeof body === "string" ? body : JSON.stringify(body);
}

/** Scripts a provider's public endpoint with nock; nothing leaves the process. */
export function nockEndpoint(origin: string, path: RegExp): ScriptedEndpoint {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
  const requests: RecordedRequest[] = [];
  const unmatched: string[] = [];
  const onNoMatch = (request: { method?: string; href?: string; path?: string; hostname?: string; host?: string }) => {
    const target = `${request.hostname ?? request.host ?? ""} ${request.href ?? ""}`;
    // Loopback servers of the same test pass through nock and are not its business.
    if (target.includes("127.0.0.1") || target.includes("localhost")) return;
    unmatched.push(`${request.method} ${request.href ?? request.path}`);
  };
  nock.emitter.on("no match", onNoMatch);
  return {
    requests,
    reply(...replies) {
      for (const scripted of replies) {
        const interceptor = nock(origin).post(path).query(true);
        if ("drop" in scripted) {
          interceptor.replyWithError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
          continue;
        }
        const delayed = scripted.delayMs ? interceptor.delay(scripted.delayMs) : interceptor;
        delayed.reply(function (uri, body) {
          const raw = typeof body === "string" ? body : JSON.stringify(body);
          requests.push({ path: uri, headers: this.req.headers, body: JSON.parse(raw), raw });
          return [scripted.status, encode(scripted.body), { "content-type": "application/json", ...scripted.headers }];
        });
      }
    },
    verify() {
      if (unmatched.length > 0) throw new Error(`Requests without a scripted reply:\n${unmatched.join("\n")}`);
      const pending = nock.pendingMocks();
      if (pending.length > 0) throw new Error(`Scripted replies never used:\n${pending.join("\n")}`);
    },
    async close() {
      nock.emitter.removeListener("no match", onNoMatch);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/** Scripts a real HTTP server on a loopback port, like a local Ollama or vLLM server. */
export async function loopbackEndpoint(): Promise<ScriptedEndpoint & { baseUrl: string }> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const unmatched: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      requests.push({ path: request.url ?? "", headers: request.headers, body: raw ? JSON.parse(raw) : undefined, raw });
      const scripted = queue.shift();
      if (!scripted) {
        unmatched.push(`${request.method} ${request.url}`);
        response.writeHead(599).end();
        return;
      }
      if ("drop" in scripted) {
        request.socket.destroy();
        return;
      }
      const send = () => response.writeHead(scripted.status, { "content-type": "application/json", ...scripted.headers }).end(encode(scripted.body));
      if (scripted.delayMs) setTimeout(send, scripted.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    verify() {
      if (unmatched.length > 0) throw new Error(`Requests without a scripted reply:\n${unmatched.join("\n")}`);
      if (queue.length > 0) throw new Error(`${queue.length} scripted replies never used`);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
