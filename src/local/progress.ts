import type { CandidateLine, RunPhase, StatusView } from "../run/status-comment.js";
import type { JournalEvent } from "./run-journal.js";
import { countOf } from "../text/plural.js";

/** Output stream of the progress: standard error, as a terminal or a pipe. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): void;
}

interface ProgressState {
  phase: RunPhase;
  candidates: CandidateLine[];
  usd: number;
  usdLimit?: number;
  testRuns: number;
  modelCalls: number;
}

/**
 * Shows a run's progress. On a terminal it redraws one line in place with the phase, candidates,
 * commands, spend and time. Elsewhere it writes one plain line per phase change, command and candidate step.
 */
export class Progress {
  private readonly state: ProgressState = { phase: "queued", candidates: [], usd: 0, testRuns: 0, modelCalls: 0 };
  private readonly startedAt = Date.now();
  private lastPlainLine = "";
  private drawn = false;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label = "run",
  ) {}

  onStatus(view: StatusView): void {
    const phaseChanged = view.phase !== this.state.phase;
    this.state.phase = view.phase;
    if (view.candidates) this.state.candidates = view.candidates;
    if (view.spend) {
      this.state.usd = view.spend.usd;
      this.state.usdLimit = view.spend.usdLimit;
    }
    if (this.stream.isTTY) {
      this.draw();
      return;
    }
    if (phaseChanged) this.plain(`phase ${view.phase}`);
    if (view.candidates) this.plain(this.candidatesText());
  }

  onEvent(event: JournalEvent): void {
    if (event.type === "model-call") {
      this.state.modelCalls += 1;
      this.state.usd += event.usd;
    }
    if (event.type === "command") {
      this.state.testRuns += 1;
      if (!this.stream.isTTY) this.plain(`command in ${event.place}: exit ${event.timedOut ? "timed out" : event.exitCode} after ${(event.durationMs / 1000).toFixed(1)}s`);
    }
    if (this.stream.isTTY) this.draw();
  }

  /** Ends the live line so that later output starts on a fresh line. */
  finish(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.stream.isTTY && this.drawn) this.stream.write("\n");
    this.drawn = false;
  }

  /** Writes a line of its own without breaking the live line. */
  note(text: string): void {
    if (this.stream.isTTY && this.drawn) this.stream.write("\r\x1b[2K");
    this.stream.write(`${this.label}: ${text}\n`);
    if (this.stream.isTTY && this.drawn) this.draw();
  }

  private draw(): void {
    const seconds = Math.round((Date.now() - this.startedAt) / 1000);
    const spend = `$${this.state.usd.toFixed(4)}${this.state.usdLimit !== undefined ? ` of $${this.state.usdLimit.toFixed(2)}` : ""}`;
    const parts = [`${this.label} ${this.state.phase}`, this.candidatesText(), countOf(this.state.modelCalls, "model call"), countOf(this.state.testRuns, "command"), spend, `${seconds}s`];
    const line = parts.filter(Boolean).join(" | ");
    const width = Math.max(20, (this.stream.columns || 120) - 1);
    this.stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    this.drawn = true;
    // Redraws every second so that the time moves during a long model call or test run.
    this.ticker ??= setInterval(() => this.draw(), 1_000).unref();
  }

  private candidatesText(): string {
    return this.state.candidates.map((candidate) => `candidate ${candidate.id} (${candidate.approach}) step ${candidate.steps}: ${candidate.tests}`).join(", ");
  }

  private plain(text: string): void {
    if (!text || text === this.lastPlainLine) return;
    this.lastPlainLine = text;
    this.stream.write(`${this.label}: ${text}\n`);
  }
}
