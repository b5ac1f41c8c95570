import type { QueueDepth } from "../ops/metrics.js";
import type { StoredEvent } from "../triggers/stored-event.js";

/** Destination of the webhook handler's deliveries: the embedded queue or BullMQ. */
export interface DeliveryIntake {
  /**
   * Records the delivery durably unless its id was seen before, and returns quickly. False means a
   * redelivered webhook. Throws when the delivery could not be recorded, so GitHub receives an error
   * status and the delivery can be sent again.
   */
  accept(event: StoredEvent): Promise<boolean>;
  /** Resolves when every accepted delivery of this process has been handled. Tests and `close` use it. */
  idle(): Promise<void>;
  /** Returns undefined when the intake can take deliveries, else the reason it cannot. */
  unreadyReason(): Promise<string | undefined>;
  queueDepth(): Promise<QueueDepth>;
  /**
   * Cancels the run of an issue that this process executes now. Returns false when none is.
   * The BullMQ intake has none, because its runs execute in workers; they cancel through a Redis mark.
   */
  cancel?(key: string): boolean;
}
