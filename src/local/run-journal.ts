import type { ModelClient, ModelReply, ModelRequest } from "../llm/model-client.js";
import type { Sandbox, SandboxResult, SandboxRunOptions } from "../sandbox/sandbox.js";
import type { RunPhase } from "../run/status-comment.js";

/** One model call as the journal stores it: who asked, what it cost, and what came back. */
export interface ModelCallEvent {
  type: "model-call";
  at: string;
  candidate?: string;
  modelId: string;
  durationMs: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  usd: number;
  toolCalls: string[];
  textCharacters: number;
  finishReason: string;
  problem?: string;
  error?: string;
}

/** One command run in the sandbox: a setup or test command of a candidate or of the evaluation. */
export interface CommandEvent {
  type: "command";
  at: string;
  /** The worktree the command ran in, as the run names it, such as `candidate 1`. */
  place: string;
  command: string[];
  durationMs: number;
  exitCode: number | null;
  timedOut: boolean;
}

export interface PhaseEvent {
  type: "phase";
  at: string;
  phase: RunPhase;
}

export type JournalEvent = ModelCallEvent | CommandEvent | PhaseEvent;

/** Every step of a local run in order, for the JSON record and the progress display. */
export class RunJournal {
  readonly events: JournalEvent[] = [];
  private readonly listeners: Array<(event: JournalEvent) => void> = [];
  private readonly places = new Map<string, string>();

  add(event: JournalEvent): void {
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  onEvent(listener: (event: JournalEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Names a worktree folder, so command events say `candidate 2` and not a temporary path. */
  namePlace(directory: string, name: string): void {
    this.places.set(directory, name);
  }

  placeOf(directory: string): string {
    return this.places.get(directory) ?? "worktree";
  }
}

const CANDIDATE_MARK = /You are candidate (\d+)\./;

/** Wraps a model client so that every call, failed ones included, is added to the journal. */
export function journaledModel(model: ModelClient, journal: RunJournal): ModelClient {
  return {
    get modelId() {
      return model.modelId;
    },
    get facts() {
      return model.facts;
    },
    async complete(request: ModelRequest): Promise<ModelReply> {
      const startedAt = Date.now();
      const base = { type: "model-call" as const, at: new Date(startedAt).toISOString(), candidate: candidateOf(request), modelId: model.modelId };
      try {
        const reply = await model.complete(request);
        journal.add({ ...base, ...replyFacts(reply), durationMs: Date.now() - startedAt });
        return reply;
      } catch (error) {
        const usage = (error as { usage?: ModelReply["usage"] }).usage;
        journal.add({
          ...base,
          durationMs: Date.now() - startedAt,
          inputTokens: usage?.inputTokens ?? 0,
          cachedInputTokens: usage?.cachedInputTokens ?? 0,
          outputTokens: usage?.outputTokens ?? 0,
          usd: (error as { costUsd?: number }).costUsd ?? 0,
          toolCalls: [],
          textCharacters: 0,
          finishReason: "error",
          error: (error as Error).message,
        });
        throw error;
      }
    },
  };
}

function replyFacts(reply: ModelReply): Omit<ModelCallEvent, "type" | "at" | "candidate" | "modelId" | "durationMs"> {
  return {
    inputTokens: reply.usage.inputTokens,
    cachedInputTokens: reply.usage.cachedInputTokens,
    outputTokens: reply.usage.outputTokens,
    usd: reply.costUsd,
    toolCalls: [...reply.toolCalls, ...reply.invalidToolCalls].map((call) => call.toolName),
    textCharacters: reply.text.length,
    finishReason: reply.finishReason,
    problem: reply.problem?.message,
  };
}

/** Reads the candidate number from the approach instruction that opens every candidate's conversation. */
function candidateOf(request: ModelRequest): string | undefined {
  const first = request.messages[0];
  const text = typeof first?.content === "string" ? first.content : JSON.stringify(first?.content ?? "");
  return CANDIDATE_MARK.exec(text)?.[1];
}

/** Wraps a sandbox so that every command it runs is added to the journal. */
export function journaledSandbox(sandbox: Sandbox, journal: RunJournal): Sandbox {
  return {
    kind: sandbox.kind,
    async run(command: string[], options: SandboxRunOptions): Promise<SandboxResult> {
      const at = new Date().toISOString();
      const result = await sandbox.run(command, options);
      journal.add({ type: "command", at, place: journal.placeOf(options.cwd), command, durationMs: result.durationMs, exitCode: result.exitCode, timedOut: result.timedOut });
      return result;
    },
  };
}
