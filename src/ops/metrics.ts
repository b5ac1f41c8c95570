import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RunUsage } from "../run/checkpoint.js";

/** Jobs by state, as the queue in use counts them. */
export type QueueDepth = Partial<Record<"waiting" | "delayed" | "running" | "failed", number>>;

/**
 * The process's Prometheus metrics in their own registry, so two servers in one test process do
 * not share counters. Names follow Prometheus conventions: `_total` counters, base units.
 */
export class Metrics {
  readonly registry = new Registry();
  private queueDepthSource: (() => Promise<QueueDepth>) | undefined;

  readonly runs = new Counter({
    name: "magic_runs_total",
    help: "Runs that ended, by outcome.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly runDuration = new Histogram({
    name: "magic_run_duration_seconds",
    help: "Wall-clock time of a run from its start in a worker to its end, by outcome.",
    labelNames: ["outcome"] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 2400],
    registers: [this.registry],
  });

  readonly tokens = new Counter({
    name: "magic_model_tokens_total",
    help: "Input plus output tokens that runs spent on model calls.",
    registers: [this.registry],
  });

  readonly dollars = new Counter({
    name: "magic_model_cost_dollars_total",
    help: "US dollars that runs spent on model calls, as their budgets report them.",
    registers: [this.registry],
  });

  readonly testRuns = new Counter({
    name: "magic_test_runs_total",
    help: "Test command runs made by the agent loop.",
    registers: [this.registry],
  });

  readonly webhookLatency = new Histogram({
    name: "magic_webhook_response_seconds",
    help: "Time from a webhook request's arrival to the end of its response, by event and HTTP status.",
    labelNames: ["event", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: "magic_webhook_deliveries_total",
    help: "Labelled-issue deliveries by result: accepted, or duplicate when the delivery id was seen before.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    const metrics = this;
    new Gauge({
      name: "magic_queue_jobs",
      help: "Jobs in the run queue by state; a worker process reports the shared queue.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        const depth = (await metrics.queueDepthSource?.()) ?? {};
        this.reset();
        for (const [state, count] of Object.entries(depth)) this.set({ state }, count);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Sets the function that counts queued jobs when `/metrics` is scraped. */
  reportQueueDepthFrom(source: () => Promise<QueueDepth>): void {
    this.queueDepthSource = source;
  }

  recordRun(outcome: string, durationMs: number, usage: RunUsage | undefined, costUsd: number): void {
    this.runs.inc({ outcome });
    this.runDuration.observe({ outcome }, durationMs / 1000);
    if (usage) {
      this.tokens.inc(usage.tokens);
      this.testRuns.inc(usage.testRuns);
    }
    if (costUsd > 0) this.dollars.inc(costUsd);
  }
}
