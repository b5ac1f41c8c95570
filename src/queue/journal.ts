import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "pino";
import type { SpendLedger } from "../ops/daily-spend.js";
import { RunCheckpoint } from "../run/checkpoint.js";
import { RunRequest } from "../run/run-request.js";
import { StoredEvent } from "../triggers/stored-event.js";

/**
 * States of a journalled delivery. `accepted`: stored, intake not finished. `queued` and `running`:
 * a run request waits or runs. `done`: the run ended. `ignored`: intake decided no run starts.
 * `dead`: intake or the run failed every try.
 */
export type JournalState = "accepted" | "queued" | "running" | "done" | "ignored" | "dead";

/** A delivery that was not finished when the journal was opened. */
export type UnfinishedDelivery =
  | { state: "accepted"; deliveryId: string; event: StoredEvent }
  | { state: "queued" | "running"; deliveryId: string; request: RunRequest; checkpoint: RunCheckpoint | undefined };

const SCHEMA_VERSION = 1;
/** Finished rows are kept this long, which is also how long a redelivered webhook is recognised. */
const RETENTION_MS = 30 * 24 * 60 * 60_000;

/**
 * The embedded queue's durable record in SQLite: every accepted delivery id, the run request it
 * became, its state and its last checkpoint, and the dollars each installation spent per day.
 * Writes are synchronous and small, so the webhook handler can record a delivery before it responds.
 */
export class RunJournal implements SpendLedger {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(
    readonly file: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // NORMAL keeps every committed row after a process crash. Only a power loss can drop the newest.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    try {
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.statements = prepare(this.db);
    this.statements.prune.run(this.now() - RETENTION_MS);
  }

  /** Stores a delivery unless its id is already there. Returns false for a redelivered webhook. */
  accept(event: StoredEvent): boolean {
    const now = this.now();
    const result = this.statements.accept.run(event.deliveryId, JSON.stringify(event), event.installationId, now, now);
    return result.changes === 1;
  }

  markQueued(deliveryId: string, request: RunRequest): void {
    this.statements.queue.run(JSON.stringify(request), this.now(), deliveryId);
  }

  markRunning(deliveryId: string): void {
    this.setState(deliveryId, "running");
  }

  /** Puts an interrupted run back in the queue. Its checkpoint stays. */
  requeue(deliveryId: string): void {
    this.setState(deliveryId, "queued");
  }

  saveCheckpoint(deliveryId: string, checkpoint: RunCheckpoint): void {
    this.statements.checkpoint.run(JSON.stringify(checkpoint), this.now(), deliveryId);
  }

  finish(deliveryId: string, state: "done" | "ignored" | "dead", outcome: string): void {
    this.statements.finish.run(state, outcome, this.now(), deliveryId);
  }

  stateOf(deliveryId: string): JournalState | undefined {
    const row = this.statements.state.get(deliveryId) as { state: JournalState } | undefined;
    return row?.state;
  }

  /**
   * Lists deliveries that were accepted, queued or running, oldest first. A row that no longer
   * parses is marked dead and logged, so one bad row cannot stop the others from resuming.
   */
  unfinished(): UnfinishedDelivery[] {
    const rows = this.statements.unfinished.all() as Array<{ delivery_id: string; state: JournalState; event: string; request: string | null; checkpoint: string | null }>;
    const deliveries: UnfinishedDelivery[] = [];
    for (const row of rows) {
      try {
        deliveries.push(parseUnfinished(row));
      } catch (error) {
        this.log.error({ err: error, deliveryId: row.delivery_id }, "journal row is invalid; it is marked dead");
        this.finish(row.delivery_id, "dead", "invalid journal row");
      }
    }
    return deliveries;
  }

  /** Counts rows by state, for the queue depth metric. */
  countByState(): Partial<Record<JournalState, number>> {
    const rows = this.statements.counts.all() as Array<{ state: JournalState; count: number }>;
    return Object.fromEntries(rows.map((row) => [row.state, row.count]));
  }

  async spent(installationId: number, day: string): Promise<number> {
    const row = this.statements.spent.get(installationId, day) as { usd: number } | undefined;
    return row?.usd ?? 0;
  }

  async add(installationId: number, day: string, dollars: number): Promise<void> {
    this.statements.addSpend.run(installationId, day, dollars);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  private setState(deliveryId: string, state: JournalState): void {
    this.statements.setState.run(state, this.now(), deliveryId);
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`The run journal ${db.name} has schema version ${version}, newer than this app's ${SCHEMA_VERSION}: upgrade the app or use another MAGIC_WORK_DIR.`);
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`
    CREATE TABLE IF NOT EXISTS deliveries (
      delivery_id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      event TEXT NOT NULL,
      request TEXT,
      checkpoint TEXT,
      outcome TEXT,
      installation_id INTEGER NOT NULL,
      accepted_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries (state, accepted_at);
    CREATE TABLE IF NOT EXISTS spending (
      installation_id INTEGER NOT NULL,
      day TEXT NOT NULL,
      usd REAL NOT NULL,
      PRIMARY KEY (installation_id, day)
    );
    PRAGMA user_version = ${SCHEMA_VERSION};
  `);
}

function prepare(db: Database.Database) {
  return {
    accept: db.prepare(
      "INSERT INTO deliveries (delivery_id, state, event, installation_id, accepted_at, updated_at) VALUES (?, 'accepted', ?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING",
    ),
    queue: db.prepare("UPDATE deliveries SET state = 'queued', request = ?, updated_at = ? WHERE delivery_id = ?"),
    setState: db.prepare("UPDATE deliveries SET state = ?, updated_at = ? WHERE delivery_id = ?"),
    checkpoint: db.prepare("UPDATE deliveries SET checkpoint = ?, updated_at = ? WHERE delivery_id = ?"),
    finish: db.prepare("UPDATE deliveries SET state = ?, outcome = ?, updated_at = ? WHERE delivery_id = ?"),
    state: db.prepare("SELECT state FROM deliveries WHERE delivery_id = ?"),
    unfinished: db.prepare(
      "SELECT delivery_id, state, event, request, checkpoint FROM deliveries WHERE state IN ('accepted', 'queued', 'running') ORDER BY accepted_at, rowid",
    ),
    counts: db.prepare("SELECT state, COUNT(*) AS count FROM deliveries GROUP BY state"),
    prune: db.prepare("DELETE FROM deliveries WHERE state IN ('done', 'ignored', 'dead') AND updated_at < ?"),
    spent: db.prepare("SELECT usd FROM spending WHERE installation_id = ? AND day = ?"),
    addSpend: db.prepare(
      "INSERT INTO spending (installation_id, day, usd) VALUES (?, ?, ?) ON CONFLICT (installation_id, day) DO UPDATE SET usd = usd + excluded.usd",
    ),
  };
}

function parseUnfinished(row: { delivery_id: string; state: JournalState; event: string; request: string | null; checkpoint: string | null }): UnfinishedDelivery {
  if (row.state === "accepted") return { state: "accepted", deliveryId: row.delivery_id, event: StoredEvent.parse(JSON.parse(row.event)) };
  if (row.state !== "queued" && row.state !== "running") throw new Error(`unexpected state ${row.state}`);
  return {
    state: row.state,
    deliveryId: row.delivery_id,
    request: RunRequest.parse(JSON.parse(row.request ?? "null")),
    checkpoint: row.checkpoint ? RunCheckpoint.parse(JSON.parse(row.checkpoint)) : undefined,
  };
}
