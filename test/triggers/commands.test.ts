import { describe, expect, test } from "vitest";
import { commandHelp, parseCommand } from "../../src/triggers/commands.js";
import { budgetReply, latestIssueBudget } from "../../src/triggers/issue-budget.js";
import { issueNumberOfBranch, pullRequestTarget } from "../../src/triggers/pull-request-target.js";

describe("parseCommand", () => {
  test.each([
    ["/magic stop", { name: "stop" }],
    ["  /magic Stop please", { name: "stop" }],
    ["/magic cancel", { name: "stop" }],
    ["Thanks!\n/magic retry", { name: "retry" }],
    ["/magic budget 2.5", { name: "budget", usd: 2.5 }],
    ["/magic budget $3", { name: "budget", usd: 3 }],
    ["/magic explain why does add fail?", { name: "explain", question: "why does add fail?" }],
    ["/magic explain\nWhat is left?\nAnd why?", { name: "explain", question: "What is left?\nAnd why?" }],
  ])("%j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  test.each(["Please use /magic stop when needed", "Add a subtract function.", "```\n/magic stop\n```", "/magical thinking"])("no command in %j", (body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  test.each([
    ["/magic budget", "needs a dollar amount"],
    ["/magic budget -1", "needs a dollar amount"],
    ["/magic budget ten", "found `ten`"],
    ["/magic dance", "`dance` is not a command."],
    ["/magic", "The command is missing."],
  ])("invalid %j", (body, problem) => {
    const command = parseCommand(body);

    if (command?.name !== "invalid") throw new Error(`expected an invalid command, got ${command?.name}`);
    expect(command.problem).toContain(problem);
  });

  test("help lists every command", () => {
    const help = commandHelp("`x` is not a command.");

    for (const name of ["stop", "retry", "budget <dollars>", "explain"]) expect(help).toContain(`/magic ${name}`);
  });
});

describe("issue budget", () => {
  test("reply caps at the ceiling", () => {
    const reply = budgetReply(25, 10);

    expect(reply.usd).toBe(10);
    expect(reply.body).toContain("You asked for $25.00");
  });

  test("newest marker wins", () => {
    const comments = [budgetReply(2, 10), budgetReply(3.5, 10)].map((reply, index) => ({ id: index + 1, body: reply.body }));

    expect(latestIssueBudget(comments)).toBe(3.5);
    expect(latestIssueBudget([{ id: 1, body: "no marker" }])).toBeUndefined();
  });
});

describe("pull request target", () => {
  const repository = { owner: "octo-org", name: "calculator" };
  const pull = { headRef: "magic/issue-12", headRepository: "octo-org/calculator", state: "open", locked: false };

  test.each([
    ["magic/issue-12", 12],
    ["magic/issue-12-3", 12],
    ["feature/issue-12", undefined],
    ["magic/issue-x", undefined],
  ])("branch %s", (ref, number) => {
    expect(issueNumberOfBranch(ref)).toBe(number);
  });

  test("app branch in the same repository", () => {
    expect(pullRequestTarget(pull, repository)).toEqual({ kind: "issue", issueNumber: 12 });
  });

  test("fork is rejected", () => {
    expect(pullRequestTarget({ ...pull, headRepository: "someone/calculator" }, repository).kind).toBe("rejected");
  });

  test("deleted fork is rejected", () => {
    expect(pullRequestTarget({ ...pull, headRepository: null }, repository).kind).toBe("rejected");
  });

  test("other branch is not ours", () => {
    expect(pullRequestTarget({ ...pull, headRef: "main" }, repository).kind).toBe("not-ours");
  });

  test("closed and locked are rejected", () => {
    expect(pullRequestTarget({ ...pull, state: "closed" }, repository).kind).toBe("rejected");
    expect(pullRequestTarget({ ...pull, locked: true }, repository).kind).toBe("rejected");
  });
});
