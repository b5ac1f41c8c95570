import path from "node:path";
import type { Logger } from "pino";
import type { Budget } from "../agent/budget.js";
import { buildContext } from "../context/build-context.js";
import { PROFILE_FILE_NAME, readEffectiveWindow } from "../eval/hashhop/profile.js";
import type { ModelFacts } from "../llm/model-facts.js";
import type { ModelClient } from "../llm/model-client.js";
import { sanitiseForModel } from "../text/sanitise.js";
import type { RunRequest } from "./run-request.js";

/** Share of the model's window left to the repository context; the rest is left for the conversation and the reply. */
const CONTEXT_SHARE_OF_WINDOW = 0.6;
/** Steps the context is assumed to be sent for when sizing it to the dollar budget. */
const EXPECTED_STEPS = 20;
/** Share of the dollar budget the repeated context may take over those steps. */
const CONTEXT_SHARE_OF_BUDGET = 0.5;

/**
 * Tokens of repository context a run can afford: a share of the window the model really uses, and no
 * more than sending it `EXPECTED_STEPS` times at the cached-input price would cost of half the
 * dollar budget. `usableWindow` is the measured effective window when there is one.
 */
export function contextTokenBudget(facts: ModelFacts, usdLimit: number, usableWindow = facts.contextWindow): number {
  const byWindow = Math.floor(Math.min(usableWindow, facts.contextWindow) * CONTEXT_SHARE_OF_WINDOW);
  const pricePerMillion = facts.prices.cachedInput ?? facts.prices.input;
  if (pricePerMillion <= 0) return byWindow;
  const byBudget = Math.floor(((usdLimit * CONTEXT_SHARE_OF_BUDGET) / EXPECTED_STEPS / pricePerMillion) * 1_000_000);
  return Math.max(2_000, Math.min(byWindow, byBudget));
}

/**
 * Builds the repository part of the prompt prefix from the worktree before any edit, sized by the
 * model's effective window from its HashHop profile when one was measured, else its nominal window.
 */
export async function repositoryContext(options: { worktree: string; request: RunRequest; model: ModelClient; budget: Budget; workDir: string; log: Logger }): Promise<string> {
  const { model, request } = options;
  const effectiveWindow = measuredWindow(options.workDir, model.modelId, options.log);
  const tokenBudget = contextTokenBudget(model.facts, options.budget.limits.usd, effectiveWindow);
  const packed = await buildContext({
    worktree: options.worktree,
    query: sanitiseForModel(rankingQuery(request)),
    tokenBudget,
    cacheDir: path.join(options.workDir, "context-cache"),
    modelId: model.modelId,
    log: options.log,
  });
  return packed.text;
}

/** Text the files are ranked against: the issue, and the comment or review comments that started the run. */
function rankingQuery(request: RunRequest): string {
  const review = request.review?.comments.map((comment) => `${comment.path}\n${comment.body}`) ?? [];
  return [request.issue.title, request.issue.body, request.instruction?.text ?? "", ...review].join("\n");
}

/** Reads the model's effective window; an unreadable profile file is logged and the nominal window used. */
function measuredWindow(workDir: string, modelId: string, log: Logger): number | undefined {
  try {
    return readEffectiveWindow(path.join(workDir, PROFILE_FILE_NAME), modelId);
  } catch (error) {
    log.warn({ err: error }, "the model profile file is invalid; the nominal context window is used");
    return undefined;
  }
}
