import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { TestRunnerName } from "./reports/test-report.js";

/** The commands that prepare and test a repository, as argv arrays. */
export interface TestPlan {
  setup?: string[];
  test: string[];
  /** Origin of the plan, shown in the status comment. */
  source: "config" | "detected";
  /** The runner the test command starts, when known; its output parser is tried first. */
  runner?: TestRunnerName;
  /** JUnit XML files the test command writes: absolute paths, or globs relative to the worktree. */
  junitReports?: string[];
}

export interface DetectOptions {
  /** A folder outside the worktree, writable in the sandbox, where detected commands write report files. */
  reportDirectory?: string;
}

/** Largest manifest read during detection; a real package.json or pyproject.toml is far smaller. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

type Detector = (project: ProjectFiles, options: DetectOptions) => Omit<TestPlan, "source"> | undefined;

/**
 * Detects the test command of a repository from its files, trying the ecosystems in this order and
 * taking the first match: Node.js, Python, Go, Rust, Maven, Gradle, then a Makefile with a `test` target.
 */
export function detectTestPlan(worktree: string, options: DetectOptions = {}): TestPlan | undefined {
  const project = new ProjectFiles(worktree);
  for (const detect of DETECTORS) {
    const plan = detect(project, options);
    if (plan) return { ...plan, source: "detected" };
  }
  return undefined;
}

/** Guesses the runner from a test command line, so that its parser is tried first. */
export function guessRunner(commandLine: string): Pick<TestPlan, "runner" | "junitReports"> {
  const checks: Array<[RegExp, TestRunnerName]> = [
    [/\bvitest\b/, "vitest"],
    [/\bjest\b/, "jest"],
    [/\bmocha\b/, "mocha"],
    [/\bnode\b.*\s--test\b/, "node-test"],
    [/\bpytest\b/, "pytest"],
    [/\bgo\s+test\b/, "go-test"],
    [/\bcargo\s+test\b/, "cargo-test"],
    [/\bmvnw?\b/, "maven"],
    [/\bgradlew?\b/, "gradle"],
    [/\bmake\b/, "make"],
  ];
  const runner = checks.find(([pattern]) => pattern.test(commandLine))?.[1];
  if (runner === "maven") return { runner, junitReports: [MAVEN_REPORTS] };
  if (runner === "gradle") return { runner, junitReports: [GRADLE_REPORTS] };
  return runner ? { runner } : {};
}

const MAVEN_REPORTS = "**/target/surefire-reports/TEST-*.xml";
const GRADLE_REPORTS = "**/build/test-results/test/TEST-*.xml";

/** Reads files of the worktree for detection, tolerating missing and unreadable ones. */
class ProjectFiles {
  constructor(readonly root: string) {}

  has(name: string): boolean {
    return existsSync(path.join(this.root, name));
  }

  read(name: string): string | undefined {
    const file = path.join(this.root, name);
    try {
      if (statSync(file).size > MAX_MANIFEST_BYTES) return undefined;
      return readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  }

  /** True when a folder directly below the root contains a file whose name matches `pattern`. */
  folderHas(folder: string, pattern: RegExp): boolean {
    try {
      return readdirSync(path.join(this.root, folder)).some((name) => pattern.test(name));
    } catch {
      return false;
    }
  }
}

interface PackageManifest {
  scripts?: Record<string, string>;
  dependencies?: object;
  devDependencies?: object;
  packageManager?: string;
}

function detectNode(project: ProjectFiles): Omit<TestPlan, "source"> | undefined {
  const text = project.read("package.json");
  if (text === undefined) return undefined;
  let manifest: PackageManifest;
  try {
    manifest = JSON.parse(text) as PackageManifest;
  } catch {
    return undefined;
  }
  const script = manifest.scripts?.test;
  if (typeof script !== "string" || !script.trim() || script.includes("no test specified")) return undefined;

  const manager = manifest.packageManager?.split("@")[0];
  const runner = guessRunner(script).runner;
  if (manager === "pnpm" || (!manager && project.has("pnpm-lock.yaml"))) {
    return { setup: ["corepack", "pnpm", "install", "--frozen-lockfile"], test: ["corepack", "pnpm", "test"], runner };
  }
  if (manager === "yarn" || (!manager && project.has("yarn.lock"))) {
    const berry = project.has(".yarnrc.yml") || /^yarn@[2-9]/.test(manifest.packageManager ?? "");
    const install = berry ? ["install", "--immutable"] : ["install", "--frozen-lockfile"];
    return { setup: ["corepack", "yarn", ...install], test: ["corepack", "yarn", "test"], runner };
  }
  return { setup: npmSetup(project, manifest), test: ["npm", "test"], runner };
}

function npmSetup(project: ProjectFiles, manifest: PackageManifest): string[] | undefined {
  if (project.has("package-lock.json") || project.has("npm-shrinkwrap.json")) return ["npm", "ci", "--no-audit", "--no-fund"];
  const dependencyCount = Object.keys(manifest.dependencies ?? {}).length + Object.keys(manifest.devDependencies ?? {}).length;
  return dependencyCount > 0 ? ["npm", "install", "--no-audit", "--no-fund"] : undefined;
}

/** Requirement files installed before the project itself, first match only. */
const PYTHON_REQUIREMENTS = ["requirements-dev.txt", "requirements-test.txt", "test-requirements.txt", "requirements_dev.txt", "requirements.txt"];

/**
 * Python projects get a virtual environment in the run's HOME, created with the system's packages
 * visible so that a pytest installed on the host works offline. Where `venv` is missing (Debian
 * without python3-venv), pip installs into the user's site-packages instead.
 */
function detectPython(project: ProjectFiles, options: DetectOptions): Omit<TestPlan, "source"> | undefined {
  const pyproject = project.read("pyproject.toml") ?? "";
  const usesPytest =
    project.has("pytest.ini") ||
    project.has("conftest.py") ||
    pyproject.includes("[tool.pytest") ||
    (project.read("setup.cfg") ?? "").includes("[tool:pytest]") ||
    (project.read("tox.ini") ?? "").includes("[pytest]") ||
    ((pyproject !== "" || project.has("setup.py")) && (project.folderHas("tests", /^test_.*\.py$|_test\.py$/) || project.folderHas("test", /^test_.*\.py$|_test\.py$/)));
  if (!usesPytest) return undefined;

  const installs: string[] = [];
  const requirements = PYTHON_REQUIREMENTS.find((file) => project.has(file));
  if (requirements) installs.push(`-r ${requirements}`);
  if (pyproject !== "" || project.has("setup.py")) installs.push(`-e .${pythonExtras(pyproject)}`);

  const pytestArgs = ["-p", "no:cacheprovider"];
  const junitReports: string[] = [];
  if (options.reportDirectory) {
    const report = path.join(options.reportDirectory, "pytest-junit.xml");
    pytestArgs.push(`--junitxml=${report}`);
    junitReports.push(report);
  }
  const test = ["sh", "-c", 'if [ -x "$HOME/.venv/bin/python" ]; then exec "$HOME/.venv/bin/python" -m pytest "$@"; else exec python3 -m pytest "$@"; fi', "pytest", ...pytestArgs];
  const setup = installs.length > 0 ? ["sh", "-c", pythonSetupScript(installs)] : undefined;
  return { setup, test, runner: "pytest", junitReports };
}

/** Picks the first optional-dependency group named for tests, such as `.[test]`. */
function pythonExtras(pyproject: string): string {
  const section = /^\[project\.optional-dependencies\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(pyproject)?.[1] ?? "";
  const extra = ["test", "tests", "testing", "dev"].find((name) => new RegExp(`^${name}\\s*=`, "m").test(section));
  return extra ? `[${extra}]` : "";
}

/** Builds the setup script from fixed file names of this module, never from text read from the repository. */
function pythonSetupScript(installs: string[]): string {
  const pipArguments = installs.map((install) => install.replace(/^-e (.*)$/, "-e '$1'")).join(" ");
  return [
    'if python3 -m venv --system-site-packages "$HOME/.venv"; then',
    `  exec "$HOME/.venv/bin/python" -m pip install ${pipArguments}`,
    "else",
    // A failed venv can leave a python behind that would hide the user site-packages from the tests.
    '  rm -rf "$HOME/.venv"',
    `  exec env PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user ${pipArguments}`,
    "fi",
  ].join("\n");
}

function detectGo(project: ProjectFiles): Omit<TestPlan, "source"> | undefined {
  if (!project.has("go.mod")) return undefined;
  return { setup: project.has("go.sum") ? ["go", "mod", "download"] : undefined, test: ["go", "test", "./..."], runner: "go-test" };
}

function detectRust(project: ProjectFiles): Omit<TestPlan, "source"> | undefined {
  if (!project.has("Cargo.toml")) return undefined;
  return { setup: ["cargo", "fetch"], test: ["cargo", "test"], runner: "cargo-test" };
}

/**
 * Maven's setup compiles and runs a test filter that matches nothing, because Surefire downloads its
 * test provider only when tests run. The tests themselves then run offline.
 */
function detectMaven(project: ProjectFiles): Omit<TestPlan, "source"> | undefined {
  if (!project.has("pom.xml")) return undefined;
  const maven = project.has("mvnw") ? ["sh", "./mvnw"] : ["mvn"];
  return {
    setup: [...maven, "--batch-mode", "-Dtest=MagicPrSetupMatchesNoTest", "-Dsurefire.failIfNoSpecifiedTests=false", "test"],
    test: [...maven, "--batch-mode", "--offline", "test"],
    runner: "maven",
    junitReports: [MAVEN_REPORTS],
  };
}

function detectGradle(project: ProjectFiles): Omit<TestPlan, "source"> | undefined {
  if (!["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"].some((file) => project.has(file))) return undefined;
  // Without --no-daemon Gradle leaves a daemon behind, which the sandbox kills with the process group.
  const gradle = project.has("gradlew") ? ["sh", "./gradlew", "--no-daemon"] : ["gradle", "--no-daemon"];
  return { setup: [...gradle, "testClasses"], test: [...gradle, "--offline", "test"], runner: "gradle", junitReports: [GRADLE_REPORTS] };
}

function detectMake(project: ProjectFiles): Omit<TestPlan, "source"> | undefined {
  const makefile = ["GNUmakefile", "makefile", "Makefile"].map((name) => project.read(name)).find((text) => text !== undefined);
  if (!makefile || !/^test\s*:/m.test(makefile)) return undefined;
  return { test: ["make", "test"], runner: "make" };
}

const DETECTORS: Detector[] = [detectNode, detectPython, detectGo, detectRust, detectMaven, detectGradle, detectMake];
