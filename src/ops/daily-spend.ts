/** Dollars spent per installation and UTC day, kept where every process that runs jobs can add to it. */
export interface SpendLedger {
  spent(installationId: number, day: string): Promise<number>;
  add(installationId: number, day: string, dollars: number): Promise<void>;
}

/** Returns the UTC calendar day of a moment as `YYYY-MM-DD`, because daily limits reset at midnight UTC. */
export function utcDay(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** True when a new run may start: nothing limits the spend, or what was spent today is below the limit. */
export function withinDailyLimit(spentToday: number, limit: number | undefined): boolean {
  return limit === undefined || spentToday < limit;
}

/** Renders the status comment text for a run that did not start because the installation reached its daily limit. */
export function dailyLimitMessage(spentToday: number, limit: number): string {
  return (
    `This installation spent $${spentToday.toFixed(2)} on model calls today, which reaches its daily limit of $${limit.toFixed(2)}, ` +
    "so the run did not start. Re-apply the label after midnight UTC, or ask the operator to raise `MAGIC_MAX_DOLLARS_PER_DAY`."
  );
}
