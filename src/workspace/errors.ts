/** A workspace operation failed: cloning, fetching, creating a worktree or pushing. */
export class WorkspaceError extends Error {
  readonly code = "workspace-failed";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorkspaceError";
  }
}
