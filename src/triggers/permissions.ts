import type { RepoRole } from "../publish/github-gateway.js";

/** Roles whose holders may start runs: the ones that can push to the repository. */
export function canTrigger(role: RepoRole): boolean {
  return role === "write" || role === "maintain" || role === "admin";
}

export function noPermissionMessage(username: string, label: string): string {
  return `@${username}, Magic PR only starts for people with write access to this repository. A maintainer can add the \`${label}\` label to start it.`;
}
