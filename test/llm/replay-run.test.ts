import { readdirSync, rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { scriptedModelSettings, startApp, type AppHarness } from "../helpers/app-harness.js";
import { createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { INSTALLATION_ID, mockLabeledRun, strictGitHub } from "../helpers/github-api.js";
import { searchReplaceBlock, startModelServer, type ModelServer } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";
const BRANCH = "magic/issue-1";
/** Its test prints the same words on every run, so that a replayed run sends the same requests. */
const PROJECT: Record<string, string> = {
  "package.json": `${JSON.stringify({ name: "calculator", version: "1.0.0", type: "module" }, null, 2)}\n`,
  "src/math.js": "export function add(a, b) {\n  return a - b;\n}\n",
  "test.js":
    'import { add } from "./src/math.js";\nconst got = add(2, 3);\nif (got !== 5) {\n  console.log(`FAIL add(2, 3) returned ${got}, expected 5`);\n  process.exit(1);\n}\nconsole.log("PASS add(2, 3) is 5");\n',
};
const CONFIG = "test_command: node test.js\ncandidates: 1\n";
/** A port nothing listens on: a replay that tried the network would fail. */
const CLOSED_MODEL_URL = "http://127.0.0.1:9/v1";

describe("recorded run replays", () => {
  let github: ReturnType<typeof strictGitHub>;
  let recordDir: string;
  const remotes: BareRemote[] = [];
  let model: ModelServer | undefined;
  let app: AppHarness | undefined;

  beforeEach(() => {
    github = strictGitHub();
    recordDir = mkdtempSync(path.join(tmpdir(), "magic-recordings-"));
  });

  afterEach(async () => {
    await app?.close();
    await model?.close();
    for (const remote of remotes.splice(0)) remote.cleanup();
    rmSync(recordDir, { recursive: true, force: true });
    github.reset();
  });

  /** Runs the app once on a fresh remote and returns what it published. */
  async function runOnce(modelSettings: ReturnType<typeof scriptedModelSettings>, issueBody?: string, expectPullRequest = true) {
    const remote = createBareRemote(PROJECT);
    remotes.push(remote);
    app = await startApp(CLOSED_MODEL_URL, { model: modelSettings });
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: CONFIG, expectPullRequest });
    const payload = labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, body: issueBody });
    const status = await deliverWebhook(app.webhookUrl, "issues", payload);
    expect(status).toBe(200);
    await app.server.magic.idle();
    await app.close();
    app = undefined;
    github.verify();
    // Each run gets a fresh set of GitHub mocks, so that none of them matches a request of the next run.
    github.reset();
    github = strictGitHub();
    return { mocks, remote };
  }

  async function recordRun() {
    model = await startModelServer([
      searchReplaceBlock("src/math.js", "  return a - b;", "  return a * b;"),
      searchReplaceBlock("src/math.js", "  return a * b;", "  return a + b;"),
    ]);
    const recorded = await runOnce({ ...scriptedModelSettings(model.baseUrl), recordDir });
    await model.close();
    model = undefined;
    const files = readdirSync(recordDir);
    expect(files).toHaveLength(1);
    return { ...recorded, file: path.join(recordDir, files[0] as string) };
  }

  test("replay opens the same pull request", async () => {
    const recorded = await recordRun();

    const replayed = await runOnce({ ...scriptedModelSettings(CLOSED_MODEL_URL), modelId: `replay:${recorded.file}` });

    expect(recorded.mocks.pullRequests).toHaveLength(1);
    expect(replayed.mocks.pullRequests).toEqual(recorded.mocks.pullRequests);
    expect(replayed.mocks.pullRequests[0]?.draft).toBe(false);
    expect(replayed.remote.readFile(BRANCH, "src/math.js")).toBe(recorded.remote.readFile(BRANCH, "src/math.js"));
    expect(replayed.remote.readFile(BRANCH, "src/math.js")).toContain("return a + b;");
    expect(replayed.mocks.statusBodies.at(-1)).toBe(recorded.mocks.statusBodies.at(-1));
  });

  test("changed issue stops the replay", async () => {
    const recorded = await recordRun();

    const replayed = await runOnce({ ...scriptedModelSettings(CLOSED_MODEL_URL), modelId: `replay:${recorded.file}` }, "add(2, 3) should be 5, not -1.", false);

    const finalStatus = replayed.mocks.statusBodies.at(-1) ?? "";
    expect(replayed.mocks.pullRequests).toEqual([]);
    expect(finalStatus).toContain("Failed");
    expect(finalStatus).toContain("Model call 1 differs from the recording");
    expect(finalStatus).toContain("record the run again");
  });
});
