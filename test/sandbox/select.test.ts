import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { SandboxError } from "../../src/sandbox/sandbox.js";
import { DEFAULT_DOCKER_IMAGE, selectSandbox } from "../../src/sandbox/select.js";
import { availableSandboxes, temporaryFolder } from "./sandbox-kinds.js";

interface LogLine {
  level: number;
  msg: string;
  reason?: string;
  sandbox?: string;
  image?: string;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

const WARN = 40;
const bubblewrapWorks = (await availableSandboxes()).some((sandbox) => sandbox.kind === "bubblewrap");

describe("selectSandbox", () => {
  let folder: ReturnType<typeof temporaryFolder>;
  let failingProgram: string;
  let fakeDocker: string;

  beforeEach(() => {
    folder = temporaryFolder("magic-select-");
    failingProgram = path.join(folder.path, "broken");
    writeFileSync(failingProgram, "#!/bin/sh\necho 'setting up uid map: Permission denied' >&2\nexit 1\n");
    chmodSync(failingProgram, 0o755);
    fakeDocker = path.join(folder.path, "docker");
    writeFileSync(fakeDocker, '#!/bin/sh\n[ "$1" = version ] && echo 27.1.1\n');
    chmodSync(fakeDocker, 0o755);
  });

  afterEach(() => folder.remove());

  test("process sandbox warns that tests are not isolated", async () => {
    const { log, lines } = capturingLogger();

    const sandbox = await selectSandbox({ kind: "process", log });

    expect(sandbox.kind).toBe("process");
    expect(lines.some((line) => line.level === WARN && /not isolated/.test(line.msg))).toBe(true);
  });

  test("broken bubblewrap named explicitly is an error", async () => {
    const { log } = capturingLogger();

    const selection = selectSandbox({ kind: "bubblewrap", log, programs: { bwrap: failingProgram } });

    await expect(selection).rejects.toBeInstanceOf(SandboxError);
    await expect(selection).rejects.toMatchObject({ code: "sandbox-unavailable" });
    await expect(selection).rejects.toThrow(/MAGIC_SANDBOX is bubblewrap, but a test run of bwrap failed: exit code 1, setting up uid map: Permission denied/);
  });

  test("docker without an engine named explicitly is an error", async () => {
    const { log } = capturingLogger();

    const selection = selectSandbox({ kind: "docker", log, programs: { docker: failingProgram } });

    await expect(selection).rejects.toThrow(/MAGIC_SANDBOX is docker, but `docker version` found no engine/);
  });

  test("auto falls back to processes with reasons logged", async () => {
    const { log, lines } = capturingLogger();

    const sandbox = await selectSandbox({ kind: "auto", log, programs: { bwrap: failingProgram, docker: failingProgram } });

    expect(sandbox.kind).toBe("process");
    expect(lines.find((line) => line.msg === "bubblewrap sandbox not available")?.reason).toMatch(/Permission denied/);
    expect(lines.find((line) => line.msg === "docker sandbox not available")?.reason).toMatch(/found no engine/);
  });

  test("auto takes docker when its engine answers", async () => {
    const { log, lines } = capturingLogger();

    const sandbox = await selectSandbox({ kind: "auto", log, programs: { bwrap: failingProgram, docker: fakeDocker } });

    expect(sandbox.kind).toBe("docker");
    expect(lines.find((line) => line.msg === "sandbox selected")).toMatchObject({ sandbox: "docker", image: DEFAULT_DOCKER_IMAGE });
  });

  test("missing programs reported", async () => {
    const { log } = capturingLogger();

    const selection = selectSandbox({ kind: "bubblewrap", log, hostEnvironment: { PATH: folder.path } });

    await expect(selection).rejects.toThrow(/bwrap was not found on PATH/);
  });

  test.skipIf(!bubblewrapWorks)("auto prefers bubblewrap", async () => {
    const { log, lines } = capturingLogger();

    const sandbox = await selectSandbox({ log });

    expect(sandbox.kind).toBe("bubblewrap");
    const rootWarning = lines.some((line) => line.level === WARN && /RLIMIT_NPROC/.test(line.msg));
    expect(rootWarning).toBe(process.getuid?.() === 0);
  });
});
