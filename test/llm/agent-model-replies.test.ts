import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startApp, type AppHarness } from "../helpers/app-harness.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { INSTALLATION_ID, mockLabeledRun, strictGitHub } from "../helpers/github-api.js";
import { type ChatReply, searchReplaceBlock, startModelServer, type ModelServer } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";
const RIGHT_EDIT = searchReplaceBlock("src/math.js", "  return a - b;", "  return a + b;");

describe("agent with model failures", () => {
  let github: ReturnType<typeof strictGitHub>;
  let remote: BareRemote;
  let model: ModelServer | undefined;
  let app: AppHarness | undefined;

  beforeEach(() => {
    github = strictGitHub();
    remote = createBareRemote(BUGGY_PROJECT);
  });

  afterEach(async () => {
    await app?.close();
    await model?.close();
    remote.cleanup();
    github.reset();
  });

  async function run(script: ChatReply[], expectPullRequest: boolean) {
    model = await startModelServer(script);
    app = await startApp(model.baseUrl);
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: "candidates: 1\n", expectPullRequest });
    await deliverWebhook(app.webhookUrl, "issues", labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID }));
    await app.server.magic.idle();
    github.verify();
    return mocks;
  }

  test("unreadable reply is fed back", async () => {
    const mocks = await run([{ status: 200, body: "this is not a chat completion" }, RIGHT_EDIT], true);

    expect(model?.requests).toHaveLength(2);
    expect(JSON.stringify(model?.requests[1]?.messages)).toContain("Your previous reply could not be used");
    expect(mocks.pullRequests).toHaveLength(1);
    expect(remote.readFile("magic/issue-1", "src/math.js")).toContain("return a + b;");
  });

  test("failing model ends the run with the reason", async () => {
    const mocks = await run([{ status: 500, body: { error: { message: "upstream crashed", type: "server_error" } } }], false);

    const finalStatus = mocks.statusBodies.at(-1) ?? "";
    expect(finalStatus).toContain("Failed");
    expect(finalStatus).toContain("The model call failed after 1 attempt on openai-compatible:scripted-model: server-error (HTTP 500).");
    expect(finalStatus).toContain("check the model settings");
  });
});
