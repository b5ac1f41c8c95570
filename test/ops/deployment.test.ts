import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { SettingsEnvironment } from "../../src/config/settings.js";

// No container engine runs where the tests run, so these tests check the files' structure, not a build.
const root = fileURLToPath(new URL("../../", import.meta.url));
const compose = parse(readFileSync(`${root}docker-compose.yml`, "utf8"), { merge: true }) as Record<string, any>;
const dockerfile = readFileSync(`${root}Dockerfile`, "utf8");
const settingNames = new Set(Object.keys(SettingsEnvironment.shape));

function seconds(duration: string): number {
  const match = /^(\d+)s$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]);
}

describe("docker-compose.yml", () => {
  test("runs redis, one server and two workers", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["redis", "server", "worker"]);
    expect(compose.services.redis.image).toMatch(/^redis:7/);
    expect(compose.services.server.command).toEqual(["serve"]);
    expect(compose.services.server.deploy?.replicas ?? 1).toBe(1);
    expect(compose.services.worker.command).toEqual(["worker"]);
    expect(compose.services.worker.deploy.replicas).toBe(2);
  });

  test("app services share the image and reach redis", () => {
    for (const name of ["server", "worker"]) {
      const service = compose.services[name];
      expect(service.build, name).toBe(".");
      expect(service.image, name).toBe("magic-pr:local");
      expect(service.environment.REDIS_URL, name).toBe("redis://redis:6379");
      expect(service.depends_on.redis.condition, name).toBe("service_healthy");
      for (const variable of Object.keys(service.environment)) expect(settingNames.has(variable), `${name}: ${variable}`).toBe(true);
    }
  });

  test("redis keeps jobs and never evicts", () => {
    const command: string[] = compose.services.redis.command;

    expect(command).toContain("--appendonly");
    expect(command[command.indexOf("--maxmemory-policy") + 1]).toBe("noeviction");
    expect(compose.services.redis.healthcheck.test).toEqual(["CMD", "redis-cli", "ping"]);
  });

  test("workers get longer than their grace period to stop", () => {
    const worker = compose.services.worker;

    expect(seconds(worker.stop_grace_period)).toBeGreaterThan(Number(worker.environment.MAGIC_SHUTDOWN_GRACE_SECONDS));
  });

  test("only the server publishes a port", () => {
    expect(compose.services.server.ports).toEqual(["3000:3000"]);
    expect(compose.services.worker.ports).toBeUndefined();
  });
});

describe("Dockerfile", () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? "";

  test("builds in one stage and runs in another", () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^node:20-bookworm-slim AS build/);
    expect(stages[0]).toMatch(/apt-get install[^\n]*python3 make g\+\+/);
    expect(stages[0]).toContain("npm prune --omit=dev");
    expect(runtime).toContain("COPY --from=build /app/node_modules ./node_modules");
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  test("runtime has git and bubblewrap and runs as node", () => {
    expect(runtime).toMatch(/apt-get install[^\n]*\bgit\b[^\n]*\bbubblewrap\b/);
    const users = [...runtime.matchAll(/^USER (\S+)/gm)].map((match) => match[1]);
    expect(users).toEqual(["node"]);
  });

  test("health check and entry point", () => {
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(runtime).toContain('ENTRYPOINT ["tini", "--", "node", "bin/magic.js"]');
    expect(runtime).toContain('CMD ["serve"]');
    expect(runtime).toContain("STOPSIGNAL SIGTERM");
  });
});
