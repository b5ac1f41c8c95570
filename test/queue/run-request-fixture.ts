import { parseRepoConfig } from "../../src/config/repo-config.js";
import type { RunRequest } from "../../src/run/run-request.js";
import { INSTALLATION_ID } from "../helpers/github-api.js";

/** Builds a valid run request for issue `issue` of octo-org/calculator with the default config. */
export function runRequestFixture(issue: number, overrides: Partial<RunRequest> = {}): RunRequest {
  const config = parseRepoConfig(null);
  if (!config.ok) throw new Error("the default repository config must parse");
  return {
    runId: `run-${issue}`,
    deliveryId: `delivery-${issue}`,
    installationId: INSTALLATION_ID,
    trigger: "label",
    repository: { owner: "octo-org", name: "calculator", cloneUrl: "file:///nonexistent/remote.git", defaultBranch: "main" },
    issue: { number: issue, title: `Issue ${issue}: add() subtracts`, body: "" },
    sender: "maintainer",
    config: config.config,
    requestedAt: new Date(0).toISOString(),
    ...overrides,
  };
}
