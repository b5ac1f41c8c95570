/** Counting semaphores by key: at most `limit` holders per key. Waiters are served in arrival order. */
export class KeyedSemaphore<Key> {
  private readonly holders = new Map<Key, number>();
  private readonly waiters = new Map<Key, Array<() => void>>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`KeyedSemaphore limit must be a whole number of 1 or more, got ${limit}`);
  }

  /** Resolves once a slot of `key` is held. Call the returned function exactly once to release it. */
  async acquire(key: Key): Promise<() => void> {
    if ((this.holders.get(key) ?? 0) >= this.limit) {
      await new Promise<void>((resolve) => {
        const queue = this.waiters.get(key) ?? [];
        queue.push(resolve);
        this.waiters.set(key, queue);
      });
    } else {
      this.holders.set(key, (this.holders.get(key) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(key);
    };
  }

  held(key: Key): number {
    return this.holders.get(key) ?? 0;
  }

  private release(key: Key): void {
    const next = this.waiters.get(key)?.shift();
    if (this.waiters.get(key)?.length === 0) this.waiters.delete(key);
    // The slot passes straight to the next waiter, so the count stays the same.
    if (next) return next();
    const count = (this.holders.get(key) ?? 1) - 1;
    if (count === 0) this.holders.delete(key);
    else this.holders.set(key, count);
  }
}
