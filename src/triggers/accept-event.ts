import type { RunRequest } from "../run/run-request.js";
import { acceptComment } from "./issue-comment.js";
import { acceptLabeledIssue, acceptUnlabeledIssue } from "./issue-labeled.js";
import type { IntakeServices } from "./intake-steps.js";
import { acceptReview } from "./pull-request-review.js";
import type { StoredEvent } from "./stored-event.js";

/** Runs intake of any stored event. Returns the run request, or undefined when no run starts. */
export function acceptEvent(event: StoredEvent, services: IntakeServices): Promise<RunRequest | undefined> {
  switch (event.kind) {
    case "labeled":
      return acceptLabeledIssue(event, services);
    case "unlabeled":
      return acceptUnlabeledIssue(event, services);
    case "comment":
      return acceptComment(event, services);
    case "review":
      return acceptReview(event, services);
  }
}
