import type { Probot } from "probot";
import type { Metrics } from "../ops/metrics.js";
import type { DeliveryIntake } from "../queue/delivery-intake.js";
import { issueKey } from "../run/run-request.js";
import { labeledIssueEventOf } from "./labeled-issue-event.js";

export interface MagicAppOptions {
  intake: DeliveryIntake;
  metrics?: Metrics;
}

/**
 * The Probot app: thin webhook handlers that only verify (Probot checks the signature), deduplicate
 * by delivery id and record the delivery in the queue's intake, so GitHub receives its response at
 * once. Intake checks and runs happen later in the queue's workers.
 */
export class MagicApp {
  constructor(private readonly options: MagicAppOptions) {}

  /** The application function to give Probot. */
  readonly load = (app: Probot): void => {
    app.on("issues.labeled", async (context) => {
      if (context.isBot) return;
      const event = labeledIssueEventOf(context);
      if (!event) {
        context.log.warn("labelled-issue webhook without an installation ignored");
        return;
      }
      const accepted = await this.options.intake.accept(event);
      this.options.metrics?.deliveries.inc({ result: accepted ? "accepted" : "duplicate" });
      if (!accepted) context.log.info("duplicate delivery ignored");
    });
  };

  /** Resolves when no intake work and no run of this process is left. */
  idle(): Promise<void> {
    return this.options.intake.idle();
  }

  /** Cancels the running run of an issue. Returns false when this process runs none for it. */
  cancel(request: { repository: { owner: string; name: string }; issue: { number: number } }): boolean {
    return this.options.intake.cancel?.(issueKey(request)) ?? false;
  }
}
