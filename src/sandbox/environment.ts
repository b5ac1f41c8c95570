/** Variables copied from the app's environment into a sandboxed command; nothing else is. */
const INHERITED_VARIABLES = ["PATH", "LANG", "LC_ALL", "TZ"];

/**
 * Builds the environment for an untrusted command from an allow-list, so no token or API key of the app
 * can leak into it. `home` becomes HOME so that tool caches stay inside the run's folder.
 */
export function buildSandboxEnvironment(
  appEnvironment: NodeJS.ProcessEnv,
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const environment: Record<string, string> = {
    CI: "true",
    TERM: "dumb",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    HOME: home,
    TMPDIR: "/tmp",
  };
  for (const name of INHERITED_VARIABLES) {
    const value = appEnvironment[name];
    if (value !== undefined) environment[name] = value;
  }
  environment.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  return { ...environment, ...extra };
}
