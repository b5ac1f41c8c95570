export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const WINDOW_MS = 60_000;

/**
 * Keeps the tokens sent in any 60-second window under a provider's tokens-per-minute limit.
 * Callers are served first come, first served, so a large prompt is not starved by small ones.
 */
export class TokenRateLimiter {
  private readonly sent: Array<{ at: number; tokens: number }> = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly tokensPerMinute: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Waits until `tokens` fit in the current window, then records them as sent. */
  acquire(tokens: number): Promise<void> {
    if (tokens > this.tokensPerMinute) {
      return Promise.reject(new RangeError(`A request of ${tokens} tokens can never fit a limit of ${this.tokensPerMinute} tokens per minute`));
    }
    const turn = this.tail.then(() => this.waitFor(tokens));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async waitFor(tokens: number): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.sent.length > 0 && (this.sent[0] as { at: number }).at <= now - WINDOW_MS) this.sent.shift();
      const inWindow = this.sent.reduce((sum, entry) => sum + entry.tokens, 0);
      if (inWindow + tokens <= this.tokensPerMinute) {
        this.sent.push({ at: now, tokens });
        return;
      }
      // Wait until the oldest entry leaves the window; more may need to leave, hence the loop.
      await this.clock.sleep((this.sent[0] as { at: number }).at + WINDOW_MS - now);
    }
  }
}
