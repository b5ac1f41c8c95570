/**
 * Waits for SIGTERM or SIGINT, then runs `stop` once. A second signal during the stop exits at
 * once with status 1, for an operator who does not want to wait for the grace period.
 */
export function runUntilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`Received ${signal} again; exiting without waiting for running runs.\n`);
        process.exit(1);
      }
      stopping = true;
      stop().then(resolve, reject);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/**
 * Returns a signal that aborts on the first SIGINT or SIGTERM, so a local command can stop and clean
 * up. A second signal exits at once with status 130.
 */
export function abortOnSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nReceived ${signal}: cancelling and removing worktrees; press Ctrl-C again to exit at once.\n`);
    controller.abort(new Error(`received ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller.signal;
}
