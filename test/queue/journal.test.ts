import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { RunJournal } from "../../src/queue/journal.js";
import type { RunRequest } from "../../src/run/run-request.js";
import type { LabeledIssueEvent } from "../../src/triggers/labeled-issue-event.js";
import { runRequestFixture } from "./run-request-fixture.js";

const log = pino({ level: "silent" });

function event(deliveryId: string, issue = 1): LabeledIssueEvent {
  return {
    kind: "labeled",
    deliveryId,
    installationId: 9,
    repository: { owner: "o", name: "r", cloneUrl: "file:///nowhere", defaultBranch: "main" },
    issue: { number: issue, title: "t", body: null, state: "open", locked: false },
    label: "magic",
    sender: "someone",
    receivedAt: new Date(0).toISOString(),
  };
}

function request(deliveryId: string, issue = 1): RunRequest {
  return runRequestFixture(issue, { deliveryId, statusCommentId: 5 });
}

describe("RunJournal", () => {
  let directory: string;
  let file: string;
  let journal: RunJournal;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), "magic-journal-unit-"));
    file = path.join(directory, "nested", "journal.sqlite");
    journal = new RunJournal(file, log);
  });

  afterEach(() => {
    journal.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test("delivery id accepted once", () => {
    expect(journal.accept(event("d1"))).toBe(true);
    expect(journal.accept(event("d1"))).toBe(false);
    expect(journal.accept(event("d2"))).toBe(true);
  });

  test("dedupe survives reopening", () => {
    journal.accept(event("d1"));
    journal.close();

    journal = new RunJournal(file, log);

    expect(journal.accept(event("d1"))).toBe(false);
  });

  test("unfinished lists each state with its data", () => {
    journal.accept(event("accepted", 1));
    journal.accept(event("queued", 2));
    journal.markQueued("queued", request("queued", 2));
    journal.accept(event("running", 3));
    journal.markQueued("running", request("running", 3));
    journal.markRunning("running");
    journal.saveCheckpoint("running", { phase: "baseline" });
    journal.accept(event("done", 4));
    journal.finish("done", "done", "pull-request");
    journal.accept(event("ignored", 5));
    journal.finish("ignored", "ignored", "no run");

    const unfinished = journal.unfinished();

    expect(unfinished.map((delivery) => [delivery.deliveryId, delivery.state])).toEqual([
      ["accepted", "accepted"],
      ["queued", "queued"],
      ["running", "running"],
    ]);
    const [accepted, , running] = unfinished;
    if (accepted?.state !== "accepted" || running?.state !== "running") throw new Error("unexpected states");
    expect(running.checkpoint).toEqual({ phase: "baseline" });
    expect(running.request.statusCommentId).toBe(5);
    expect(accepted.event.kind).toBe("labeled");
    expect(accepted.event.kind === "labeled" ? accepted.event.issue.number : undefined).toBe(1);
    expect(journal.countByState()).toEqual({ accepted: 1, queued: 1, running: 1, done: 1, ignored: 1 });
  });

  test("requeue keeps the checkpoint", () => {
    journal.accept(event("d1"));
    journal.markQueued("d1", request("d1"));
    journal.markRunning("d1");
    journal.saveCheckpoint("d1", { phase: "attempt" });

    journal.requeue("d1");

    expect(journal.stateOf("d1")).toBe("queued");
    const [delivery] = journal.unfinished();
    if (delivery?.state !== "queued") throw new Error(`expected a queued delivery, got ${delivery?.state}`);
    expect(delivery.checkpoint?.phase).toBe("attempt");
  });

  test("invalid row is marked dead", () => {
    journal.accept(event("good", 1));
    journal.accept(event("bad", 2));
    journal.close();
    const db = new Database(file);
    db.prepare("UPDATE deliveries SET event = '{\"not\":\"an event\"}' WHERE delivery_id = 'bad'").run();
    db.close();
    journal = new RunJournal(file, log);

    const unfinished = journal.unfinished();

    expect(unfinished.map((delivery) => delivery.deliveryId)).toEqual(["good"]);
    expect(journal.stateOf("bad")).toBe("dead");
  });

  test("row without an event kind reads as a label", () => {
    const { kind: _kind, ...legacy } = event("old", 3);
    journal.accept(event("old", 3));
    journal.close();
    const db = new Database(file);
    db.prepare("UPDATE deliveries SET event = ? WHERE delivery_id = 'old'").run(JSON.stringify(legacy));
    db.close();
    journal = new RunJournal(file, log);

    const [delivery] = journal.unfinished();

    if (delivery?.state !== "accepted") throw new Error(`expected an accepted delivery, got ${delivery?.state}`);
    expect(delivery.event.kind).toBe("labeled");
  });

  test("spending adds up per installation and day", async () => {
    await journal.add(9, "2026-01-02", 1.25);
    await journal.add(9, "2026-01-02", 0.5);
    await journal.add(9, "2026-01-03", 4);
    await journal.add(10, "2026-01-02", 7);

    expect(await journal.spent(9, "2026-01-02")).toBe(1.75);
    expect(await journal.spent(9, "2026-01-03")).toBe(4);
    expect(await journal.spent(11, "2026-01-02")).toBe(0);
  });

  test("finished rows expire after thirty days", () => {
    let now = Date.UTC(2026, 0, 1);
    journal.close();
    journal = new RunJournal(file, log, () => now);
    journal.accept(event("old"));
    journal.finish("old", "done", "pull-request");
    journal.accept(event("waiting"));
    journal.close();

    now += 31 * 24 * 60 * 60_000;
    journal = new RunJournal(file, log, () => now);

    expect(journal.stateOf("old")).toBeUndefined();
    expect(journal.stateOf("waiting")).toBe("accepted");
  });

  test("newer schema is rejected", () => {
    journal.close();
    const db = new Database(file);
    db.pragma("user_version = 99");
    db.close();

    expect(() => new RunJournal(file, log)).toThrow(/schema version 99.*MAGIC_WORK_DIR/);
  });
});
