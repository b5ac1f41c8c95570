import type { LabeledIssueEvent } from "../triggers/labeled-issue-event.js";
import type { QueueDepth } from "../ops/metrics.js";

/** Where the webhook handler hands a delivery: the embedded queue or BullMQ. */
export interface DeliveryIntake {
  /**
   * Records the delivery durably unless its id was seen before, and returns quickly. False means a
   * redelivered webhook. Throws when the delivery could not be recorded, so GitHub sees an error.
   */
  accept(event: LabeledIssueEvent): Promise<boolean>;
  /** Resolves when every accepted delivery of this process has been handled. Tests and `close` use it. */
  idle(): Promise<void>;
  /** Returns undefined when the intake can take deliveries, else the reason it cannot. */
  unreadyReason(): Promise<string | undefined>;
  queueDepth(): Promise<QueueDepth>;
}
