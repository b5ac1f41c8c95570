import type { AppComment } from "../publish/github-gateway.js";

const BUDGET_MARKER = /<!-- magic-pr:budget usd=(\d+(?:\.\d+)?) -->/;

/**
 * Hidden marker that stores an issue's `/magic budget` in the app's reply. GitHub keeps the reply,
 * so the budget survives a restart and every worker finds it without a shared database.
 */
export function budgetMarker(usd: number): string {
  return `<!-- magic-pr:budget usd=${usd.toFixed(2)} -->`;
}

/** Returns the budget of the newest reply that carries a marker, or undefined when none does. */
export function latestIssueBudget(comments: AppComment[]): number | undefined {
  for (const comment of [...comments].reverse()) {
    const match = BUDGET_MARKER.exec(comment.body);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** Caps a requested budget at the operator's ceiling and words the reply that records it. */
export function budgetReply(requestedUsd: number, ceilingUsd: number): { usd: number; body: string } {
  const usd = Math.min(requestedUsd, ceilingUsd);
  const capped = requestedUsd > ceilingUsd ? ` You asked for $${requestedUsd.toFixed(2)}; the operator's ceiling is $${ceilingUsd.toFixed(2)}.` : "";
  return { usd, body: `${budgetMarker(usd)}\nEach run of this issue may now spend up to $${usd.toFixed(2)}.${capped}` };
}
