import type { RepoBudget } from "../config/repo-config.js";
import type { BudgetCeilings } from "../config/settings.js";
import type { BudgetLimits } from "./budget.js";

export interface ResolvedBudget {
  limits: BudgetLimits;
  /** Sentences for the status comment about values the ceilings lowered. */
  notes: string[];
}

/**
 * Turns the repository's budget into limits. The repository may lower any value, and may raise dollars
 * and minutes up to the operator's ceilings. A value above a ceiling is lowered to it and noted.
 */
export function resolveBudget(repoBudget: RepoBudget, ceilings: BudgetCeilings): ResolvedBudget {
  const notes: string[] = [];
  const capped = (key: string, value: number, ceiling: number, unit: string) => {
    if (value <= ceiling) return value;
    notes.push(`\`budget.${key}\` is ${value} ${unit}, above the operator's ceiling of ${ceiling} ${unit}, so the run uses ${ceiling}.`);
    return ceiling;
  };
  const usd = capped("usd", repoBudget.usd, ceilings.usd, "USD");
  const minutes = capped("minutes", repoBudget.minutes, ceilings.minutes, "minutes");
  return {
    limits: {
      usd,
      durationMs: minutes * 60_000,
      inputTokens: repoBudget.input_tokens,
      outputTokens: repoBudget.output_tokens,
      testRuns: repoBudget.test_runs,
      modelCalls: repoBudget.model_calls,
    },
    notes,
  };
}
