/**
 * Variables copied from the app's environment into a sandboxed command; nothing else is. Besides the
 * locale they name toolchain folders, which hold no secrets.
 */
const INHERITED_VARIABLES = ["PATH", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "GOROOT", "RUSTUP_HOME"];

/** Environment variables as `process.env` provides them. */
export type HostEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Builds the environment for an untrusted command from an allow-list, so no token or API key of the app
 * can leak into it. `home` becomes HOME so that tool caches stay inside the run's folder.
 */
export function buildSandboxEnvironment(
  appEnvironment: HostEnvironment,
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
    // Keeps __pycache__ folders out of the worktree, where they would end up in the pull request.
    PYTHONDONTWRITEBYTECODE: "1",
    // Corepack otherwise waits for a yes on standard input before it downloads yarn or pnpm.
    COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
  };
  for (const name of INHERITED_VARIABLES) {
    const value = appEnvironment[name];
    if (value !== undefined) environment[name] = value;
  }
  environment.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  return { ...environment, ...extra };
}
