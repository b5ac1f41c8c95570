import type { Probot } from "probot";
import type { Metrics } from "../ops/metrics.js";
import type { DeliveryIntake } from "../queue/delivery-intake.js";
import { issueKey } from "../run/run-request.js";
import { labeledIssueEventOf } from "./labeled-issue-event.js";
import { commentEventOf, reviewEventOf, type StoredEvent } from "./stored-event.js";

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
    // Bots never trigger, the app itself included, so the app's own comments and labels cannot loop.
    app.on(["issues.labeled", "issues.unlabeled"], (context) => (context.isBot ? undefined : this.record(context, labeledIssueEventOf(context))));
    app.on("issue_comment.created", (context) => (context.isBot ? undefined : this.record(context, commentEventOf(context))));
    app.on("pull_request_review.submitted", (context) => (context.isBot ? undefined : this.record(context, reviewEventOf(context))));
  };

  private async record(context: { name: string; log: { warn(message: string): void; info(message: string): void } }, event: StoredEvent | undefined): Promise<void> {
    if (!event) {
      context.log.warn(`${context.name} webhook without an installation ignored`);
      return;
    }
    const accepted = await this.options.intake.accept(event);
    this.options.metrics?.deliveries.inc({ result: accepted ? "accepted" : "duplicate" });
    if (!accepted) context.log.info("duplicate delivery ignored");
  }

  /** Resolves when no intake work and no run of this process is left. */
  idle(): Promise<void> {
    return this.options.intake.idle();
  }

  /** Cancels the running run of an issue. Returns false when this process runs none for it. */
  cancel(request: { repository: { owner: string; name: string }; issue: { number: number } }): boolean {
    return this.options.intake.cancel?.(issueKey(request)) ?? false;
  }
}
