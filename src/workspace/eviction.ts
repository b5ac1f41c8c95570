/** Disk use and state of one mirror, as the eviction policy sees them. */
export interface MirrorUsage {
  key: string;
  /** Disk bytes of the mirror and its spare worktrees. */
  bytes: number;
  lastUsedMs: number;
  /** True while a worktree of the mirror is alive. Such a mirror is never evicted. */
  inUse: boolean;
}

export interface EvictionPolicy {
  maxBytes: number;
  nowMs: number;
  /** Mirrors used more recently than this are kept, because another process may be about to use them. */
  graceMs: number;
  /** The mirror being opened, which is always kept. */
  keepKey: string;
}

/**
 * Chooses the mirrors to delete, least recently used first, until the rest fit in `maxBytes`. Returns
 * fewer than needed when the others are in use, recent or the one being opened.
 */
export function selectEvictions(mirrors: MirrorUsage[], policy: EvictionPolicy): MirrorUsage[] {
  let total = mirrors.reduce((sum, mirror) => sum + mirror.bytes, 0);
  const selected: MirrorUsage[] = [];
  const oldestFirst = [...mirrors].sort((left, right) => left.lastUsedMs - right.lastUsedMs);
  for (const mirror of oldestFirst) {
    if (total <= policy.maxBytes) break;
    if (mirror.key === policy.keepKey || mirror.inUse) continue;
    if (mirror.lastUsedMs > policy.nowMs - policy.graceMs) continue;
    selected.push(mirror);
    total -= mirror.bytes;
  }
  return selected;
}
