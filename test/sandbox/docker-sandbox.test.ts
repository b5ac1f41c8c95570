import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { buildDockerRemoveArguments, buildDockerRunArguments, DockerSandbox, type DockerRun } from "../../src/sandbox/docker-sandbox.js";
import { findProgram } from "../../src/sandbox/host-programs.js";
import { APP_SECRETS, temporaryFolder } from "./sandbox-kinds.js";

// No container engine runs on this machine, so these tests check the command lines the Docker sandbox
// builds and drive it with a stand-in `docker` program that records how it was called.

const RUN: DockerRun = {
  containerName: "magic-sandbox-test",
  cwd: "/work/runs/r1/repo",
  home: "/work/runs/r1/home",
  gitPaths: ["/work/runs/r1/repo/.git"],
  network: false,
  limits: { memoryBytes: 2_000_000_000, maxProcesses: 256, cpuSeconds: 120, maxFileBytes: 1_000_000 },
  environment: { CI: "true", HOME: "/work/runs/r1/home", PATH: "/usr/local/bin:/usr/bin:/bin" },
};
const OPTIONS = { dockerPath: "/usr/bin/docker", image: "node:20-bookworm", uid: 1000, gid: 1000 };

function valueAfter(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

function valuesAfter(args: string[], flag: string): string[] {
  return args.flatMap((arg, index) => (arg === flag ? [args[index + 1] as string] : []));
}

describe("buildDockerRunArguments", () => {
  test("isolation flags", () => {
    const args = buildDockerRunArguments(["npm", "test"], RUN, OPTIONS);

    expect(args.slice(0, 3)).toEqual(["/usr/bin/docker", "run", "--rm"]);
    expect(valueAfter(args, "--name")).toBe("magic-sandbox-test");
    expect(valueAfter(args, "--network")).toBe("none");
    expect(valueAfter(args, "--user")).toBe("1000:1000");
    expect(valueAfter(args, "--cap-drop")).toBe("ALL");
    expect(valueAfter(args, "--security-opt")).toBe("no-new-privileges");
    expect(args).toContain("--read-only");
    expect(args).toContain("--init");
    expect(valueAfter(args, "--tmpfs")).toMatch(/^\/tmp:rw,exec,size=\d+$/);
  });

  test("limits become cgroup and ulimit flags", () => {
    const args = buildDockerRunArguments(["npm", "test"], RUN, OPTIONS);

    expect(valueAfter(args, "--memory")).toBe("2000000000");
    expect(valueAfter(args, "--memory-swap")).toBe("2000000000");
    expect(valueAfter(args, "--pids-limit")).toBe("256");
    expect(valuesAfter(args, "--ulimit")).toEqual(["core=0:0", "cpu=120:120", "fsize=1000000:1000000"]);
  });

  test("worktree and home writable, git metadata read-only", () => {
    const args = buildDockerRunArguments(["npm", "test"], RUN, OPTIONS);

    expect(valuesAfter(args, "--mount")).toEqual([
      "type=bind,source=/work/runs/r1/home,target=/work/runs/r1/home",
      "type=bind,source=/work/runs/r1/repo,target=/work/runs/r1/repo",
      "type=bind,source=/work/runs/r1/repo/.git,target=/work/runs/r1/repo/.git,readonly",
    ]);
    expect(valueAfter(args, "--workdir")).toBe("/work/runs/r1/repo");
  });

  test("environment, image and command last", () => {
    const args = buildDockerRunArguments(["npm", "test"], RUN, OPTIONS);

    expect(valuesAfter(args, "--env")).toEqual(["CI=true", "HOME=/work/runs/r1/home", "PATH=/usr/local/bin:/usr/bin:/bin"]);
    expect(args.slice(-4)).toEqual(["--", "node:20-bookworm", "npm", "test"]);
  });

  test("network for setup", () => {
    const args = buildDockerRunArguments(["npm", "ci"], { ...RUN, network: true }, OPTIONS);

    expect(valueAfter(args, "--network")).toBe("bridge");
  });

  test("home tmpfs when the run has none", () => {
    const args = buildDockerRunArguments(["true"], { ...RUN, home: undefined }, OPTIONS);

    expect(valuesAfter(args, "--tmpfs")).toContainEqual(expect.stringMatching(/^\/home\/sandbox:rw,exec,size=\d+,mode=1777$/));
    expect(valuesAfter(args, "--mount")).toHaveLength(2);
  });

  test("path with a comma quoted for --mount", () => {
    const args = buildDockerRunArguments(["true"], { ...RUN, cwd: '/work/a,b"c', home: undefined, gitPaths: [] }, OPTIONS);

    expect(valuesAfter(args, "--mount")).toEqual(['type=bind,"source=/work/a,b""c","target=/work/a,b""c"']);
  });

  test("invalid limit rejected", () => {
    expect(() => buildDockerRunArguments(["true"], { ...RUN, limits: { maxProcesses: 0 } }, OPTIONS)).toThrow(/maxProcesses is 0: expected a positive whole number/);
  });

  test("remove command", () => {
    expect(buildDockerRemoveArguments("/usr/bin/docker", "magic-sandbox-x")).toEqual(["/usr/bin/docker", "rm", "--force", "magic-sandbox-x"]);
  });
});

const dockerCli = findProgram("docker", process.env.PATH);

describe.skipIf(!dockerCli)("docker client", () => {
  test("accepts the built command line", () => {
    const folder = temporaryFolder("magic-docker-cli-");
    try {
      const args = buildDockerRunArguments(["true"], { ...RUN, cwd: folder.path, home: folder.path, gitPaths: [] }, { ...OPTIONS, dockerPath: dockerCli as string });
      // A socket path that does not exist: the client parses every flag, then fails to connect, and talks to nothing.
      const env = { PATH: process.env.PATH ?? "", HOME: folder.path, DOCKER_HOST: `unix://${folder.path}/missing.sock` };

      let output = "";
      try {
        execFileSync(args[0] as string, args.slice(1), { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
      } catch (error) {
        output = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
      }

      expect(output).toMatch(/Cannot connect to the Docker daemon|connect: no such file or directory/);
      expect(output).not.toMatch(/unknown flag|invalid argument|unknown shorthand/);
    } finally {
      folder.remove();
    }
  });
});

describe("DockerSandbox with a stand-in docker program", () => {
  let folder: ReturnType<typeof temporaryFolder>;
  let worktree: string;
  let fakeDocker: string;
  let callLog: string;

  beforeEach(() => {
    folder = temporaryFolder("magic-docker-");
    worktree = path.join(folder.path, "worktree");
    mkdirSync(worktree);
    callLog = path.join(folder.path, "calls.log");
    fakeDocker = path.join(folder.path, "docker");
    // Records each call, prints the environment for `run`, and sleeps when the command is `sleep`.
    writeFileSync(
      fakeDocker,
      [
        "#!/bin/sh",
        `printf '%s\\n' "CALL" "$@" >> '${callLog}'`,
        'if [ "$1" = run ]; then',
        '  for arg in "$@"; do case "$arg" in sleep) sleep 30;; esac; done',
        '  echo "container output"; env; exit 4',
        "fi",
        "exit 0",
      ].join("\n"),
    );
    chmodSync(fakeDocker, 0o755);
  });

  afterEach(() => folder.remove());

  function calls(): string[][] {
    return readFileSync(callLog, "utf8")
      .split("CALL\n")
      .filter(Boolean)
      .map((call) => call.trimEnd().split("\n"));
  }

  test("runs the client and returns its result", async () => {
    const sandbox = new DockerSandbox({ dockerPath: fakeDocker, image: "example/image:1", uid: 1000, gid: 1000, hostEnvironment: { PATH: process.env.PATH, ...APP_SECRETS } });

    const result = await sandbox.run(["npm", "test"], { cwd: worktree, timeoutMs: 10_000 });

    expect(result.exitCode).toBe(4);
    expect(result.output).toContain("container output");
    for (const value of Object.values(APP_SECRETS)) expect(result.output).not.toContain(value);
    const [run] = calls();
    expect(run?.slice(-4)).toEqual(["--", "example/image:1", "npm", "test"]);
    expect(run).toContain(`type=bind,source=${worktree},target=${worktree}`);
  });

  test("timeout removes the container", async () => {
    const sandbox = new DockerSandbox({ dockerPath: fakeDocker, image: "example/image:1", uid: 1000, gid: 1000, hostEnvironment: { PATH: process.env.PATH } });

    const result = await sandbox.run(["sleep", "30"], { cwd: worktree, timeoutMs: 500 });
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(result.timedOut).toBe(true);
    const [run, remove] = calls();
    const containerName = valueAfter(run ?? [], "--name");
    expect(containerName).toMatch(/^magic-sandbox-[0-9a-f-]{36}$/);
    expect(remove).toEqual(["rm", "--force", containerName]);
  });
});
