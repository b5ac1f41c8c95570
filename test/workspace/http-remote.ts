import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface HttpRemote {
  /** URL of the repository, such as `http://127.0.0.1:PORT/remote.git`. */
  url: string;
  requests: RecordedRequest[];
  /** Maximum number of `git-upload-pack` requests in progress at the same time. */
  maxConcurrentUploads: number;
  close(): Promise<void>;
}

export interface HttpRemoteOptions {
  /** Bare repository to serve. */
  repository: string;
  /** When set, every request without `Authorization: Basic x-access-token:<token>` gets 401. */
  token?: string;
  /** Delay before each `git-upload-pack` response, so that concurrent fetches would overlap. */
  uploadDelayMs?: number;
}

/**
 * Serves a bare repository over git's smart HTTP protocol on a loopback port, by running
 * `git http-backend` as a CGI program for each request.
 */
export async function startHttpRemote(options: HttpRemoteOptions): Promise<HttpRemote> {
  const projectRoot = path.dirname(options.repository);
  const name = path.basename(options.repository);
  const requests: RecordedRequest[] = [];
  let uploads = 0;
  const remote = { requests, maxConcurrentUploads: 0 };

  const server = createServer((request, response) => {
    const authorization = request.headers.authorization;
    requests.push({ method: request.method ?? "", path: request.url ?? "", authorization });
    if (options.token && !isBasicAuthorization(authorization, options.token)) {
      response.writeHead(401, { "www-authenticate": 'Basic realm="test"' }).end("Unauthorized\n");
      return;
    }
    const isUpload = (request.url ?? "").endsWith("/git-upload-pack");
    if (isUpload) {
      uploads += 1;
      remote.maxConcurrentUploads = Math.max(remote.maxConcurrentUploads, uploads);
    }
    const done = () => {
      if (isUpload) uploads -= 1;
    };
    const answer = () => runBackend(projectRoot, request, response).finally(done);
    if (isUpload && options.uploadDelayMs) setTimeout(() => void answer(), options.uploadDelayMs);
    else void answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    requests,
    get maxConcurrentUploads() {
      return remote.maxConcurrentUploads;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Checks `Basic <base64 of x-access-token:TOKEN>`; the scheme is case-insensitive, the credentials are not. */
function isBasicAuthorization(header: string | undefined, token: string): boolean {
  const match = /^basic (.+)$/i.exec(header ?? "");
  return match?.[1] === Buffer.from(`x-access-token:${token}`).toString("base64");
}

function runBackend(projectRoot: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: request.method ?? "GET",
    // A named user lets http-backend accept pushes without extra server config.
    REMOTE_USER: "test-user",
    REMOTE_ADDR: "127.0.0.1",
  };
  const header = (name: string) => request.headers[name] as string | undefined;
  if (header("content-type")) environment.CONTENT_TYPE = header("content-type") as string;
  if (header("content-length")) environment.CONTENT_LENGTH = header("content-length") as string;
  if (header("content-encoding")) environment.HTTP_CONTENT_ENCODING = header("content-encoding") as string;
  if (header("git-protocol")) environment.GIT_PROTOCOL = header("git-protocol") as string;

  return new Promise((resolve) => {
    const backend = spawn("git", ["http-backend"], { env: environment, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    backend.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    backend.stderr.on("data", (chunk: Buffer) => errors.push(chunk));
    request.pipe(backend.stdin);
    backend.on("close", () => {
      sendCgiOutput(Buffer.concat(chunks), response, Buffer.concat(errors).toString());
      resolve();
    });
  });
}

/** Turns CGI output (headers, a blank line, the body) into the HTTP response. */
function sendCgiOutput(output: Buffer, response: ServerResponse, errors: string): void {
  const separator = output.indexOf("\r\n\r\n");
  const headerEnd = separator === -1 ? output.indexOf("\n\n") : separator;
  if (headerEnd === -1) {
    response.writeHead(500, { "content-type": "text/plain" }).end(`http-backend failed: ${errors}`);
    return;
  }
  const headerText = output.subarray(0, headerEnd).toString("latin1");
  const body = output.subarray(headerEnd + (separator === -1 ? 2 : 4));
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of headerText.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  response.writeHead(status, headers).end(body);
}
