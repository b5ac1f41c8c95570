const SIZE_PATTERN = /^(\d+(?:\.\d+)?)([km]?)$/i;

/**
 * Parses a context size in tokens: `2000`, `2k` or `1.5m`. The suffixes are decimal (k = 1,000,
 * m = 1,000,000), as model cards state windows such as 128k and 200k. Returns undefined for
 * anything else.
 */
export function parseSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const multipliers: Record<string, number> = { "": 1, k: 1_000, m: 1_000_000 };
  const multiplier = multipliers[(match[2] ?? "").toLowerCase()] as number;
  const tokens = Math.round(Number(match[1]) * multiplier);
  return Number.isSafeInteger(tokens) && tokens > 0 ? tokens : undefined;
}

/** Formats a token count the way {@link parseSize} reads it: 2000 as `2k`, 1500000 as `1.5m`. */
export function formatSize(tokens: number): string {
  if (tokens >= 1_000_000 && tokens % 10_000 === 0) return `${tokens / 1_000_000}m`;
  if (tokens >= 1_000 && tokens % 100 === 0) return `${tokens / 1_000}k`;
  return String(tokens);
}
