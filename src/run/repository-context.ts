import type { Budget } from "../agent/budget.js";
import { selectContext } from "../context/select-files.js";
import type { ModelFacts } from "../llm/model-facts.js";
import type { ModelClient } from "../llm/model-client.js";
import type { RunRequest } from "./run-request.js";

/** Share of the model's window left to the repository context; the rest holds the conversation and the answer. */
const CONTEXT_SHARE_OF_WINDOW = 0.6;
/** Steps the context is assumed to be sent for when sizing it to the dollar budget. */
const EXPECTED_STEPS = 20;
/** Share of the dollar budget the repeated context may take over those steps. */
const CONTEXT_SHARE_OF_BUDGET = 0.5;

/**
 * Tokens of repository context a run can afford: a share of the model's window, and no more than
 * sending it `EXPECTED_STEPS` times at the cached-input price would cost of half the dollar budget.
 */
export function contextTokenBudget(facts: ModelFacts, usdLimit: number): number {
  const byWindow = Math.floor(facts.contextWindow * CONTEXT_SHARE_OF_WINDOW);
  const pricePerMillion = facts.prices.cachedInput ?? facts.prices.input;
  if (pricePerMillion <= 0) return byWindow;
  const byBudget = Math.floor(((usdLimit * CONTEXT_SHARE_OF_BUDGET) / EXPECTED_STEPS / pricePerMillion) * 1_000_000);
  return Math.max(2_000, Math.min(byWindow, byBudget));
}

/** Builds the repository part of the prompt prefix from the worktree before any edit. */
export async function repositoryContext(options: { worktree: string; request: RunRequest; model: ModelClient; budget: Budget; workDir: string }): Promise<string> {
  const tokens = contextTokenBudget(options.model.facts, options.budget.limits.usd);
  const issueText = `${options.request.issue.title}\n${options.request.issue.body}`;
  // About 4 characters a token; the context engine replaces this estimate with a tokenizer count.
  const selected = await selectContext(options.worktree, issueText, tokens * 4);
  const parts = selected.files.map((file) => `## ${file.path}\n\`\`\`\n${file.content}\n\`\`\``);
  if (selected.omitted.length > 0) parts.push(`## Other files (not shown)\n${selected.omitted.join("\n")}`);
  return parts.join("\n\n");
}
