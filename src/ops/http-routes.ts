import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./metrics.js";

export interface OperationsRoutes {
  metrics: Metrics;
  /** Returns undefined when the process can take work, else the reason it cannot. */
  unreadyReason(): Promise<string | undefined>;
}

/**
 * Serves `GET /healthz` (the process is up), `GET /readyz` (it can take work) and `GET /metrics`
 * (Prometheus text format). Returns false for any other request, so the caller can route it.
 */
export function handleOperationsRequest(request: IncomingMessage, response: ServerResponse, routes: OperationsRoutes): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
  switch (pathname) {
    case "/healthz":
      response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return true;
    case "/readyz":
      void answerReadiness(response, routes);
      return true;
    case "/metrics":
      void answerMetrics(response, routes.metrics);
      return true;
    default:
      return false;
  }
}

async function answerReadiness(response: ServerResponse, routes: OperationsRoutes): Promise<void> {
  let reason: string | undefined;
  try {
    reason = await routes.unreadyReason();
  } catch (error) {
    reason = `the readiness check failed: ${(error as Error).message}`;
  }
  if (reason) response.writeHead(503, { "content-type": "text/plain" }).end(`not ready: ${reason}\n`);
  else response.writeHead(200, { "content-type": "text/plain" }).end("ready\n");
}

async function answerMetrics(response: ServerResponse, metrics: Metrics): Promise<void> {
  try {
    const text = await metrics.registry.metrics();
    response.writeHead(200, { "content-type": metrics.registry.contentType }).end(text);
  } catch (error) {
    response.writeHead(500, { "content-type": "text/plain" }).end(`collecting metrics failed: ${(error as Error).message}\n`);
  }
}
