import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { planTests } from "../../src/sandbox/test-command.js";
import { writeFiles } from "../helpers/git-repository.js";
import { temporaryFolder } from "./sandbox-kinds.js";

const JEST_PACKAGE = JSON.stringify({ scripts: { test: "jest --ci" }, devDependencies: { jest: "30.2.0" } });

describe("planTests detection", () => {
  let folder: ReturnType<typeof temporaryFolder>;

  beforeEach(() => {
    folder = temporaryFolder("magic-detect-");
  });

  afterEach(() => folder.remove());

  const detect = (files: Record<string, string>) => {
    writeFiles(folder.path, files);
    return planTests(folder.path, {}, { reportDirectory: "/runs/r1/home/.magic-reports" });
  };

  test.each([
    ["npm with lock file", { "package.json": JEST_PACKAGE, "package-lock.json": "{}" }, ["npm", "ci", "--no-audit", "--no-fund"], ["npm", "test"], "jest"],
    ["npm without lock file", { "package.json": JEST_PACKAGE }, ["npm", "install", "--no-audit", "--no-fund"], ["npm", "test"], "jest"],
    [
      "npm without dependencies",
      { "package.json": JSON.stringify({ scripts: { test: "node --test" } }) },
      undefined,
      ["npm", "test"],
      "node-test",
    ],
    ["pnpm", { "package.json": JSON.stringify({ scripts: { test: "vitest run" } }), "pnpm-lock.yaml": "" }, ["corepack", "pnpm", "install", "--frozen-lockfile"], ["corepack", "pnpm", "test"], "vitest"],
    ["yarn 1", { "package.json": JSON.stringify({ scripts: { test: "mocha" } }), "yarn.lock": "" }, ["corepack", "yarn", "install", "--frozen-lockfile"], ["corepack", "yarn", "test"], "mocha"],
    [
      "yarn berry",
      { "package.json": JSON.stringify({ scripts: { test: "jest" }, packageManager: "yarn@4.1.0" }), "yarn.lock": "" },
      ["corepack", "yarn", "install", "--immutable"],
      ["corepack", "yarn", "test"],
      "jest",
    ],
    ["go", { "go.mod": "module example.com/x\n", "go.sum": "" }, ["go", "mod", "download"], ["go", "test", "./..."], "go-test"],
    ["go without dependencies", { "go.mod": "module example.com/x\n" }, undefined, ["go", "test", "./..."], "go-test"],
    ["cargo", { "Cargo.toml": "[package]\nname = \"x\"\n" }, ["cargo", "fetch"], ["cargo", "test"], "cargo-test"],
    [
      "maven",
      { "pom.xml": "<project/>" },
      ["mvn", "--batch-mode", "-Dtest=MagicPrSetupMatchesNoTest", "-Dsurefire.failIfNoSpecifiedTests=false", "test"],
      ["mvn", "--batch-mode", "--offline", "test"],
      "maven",
    ],
    [
      "maven wrapper",
      { "pom.xml": "<project/>", mvnw: "#!/bin/sh\n" },
      ["sh", "./mvnw", "--batch-mode", "-Dtest=MagicPrSetupMatchesNoTest", "-Dsurefire.failIfNoSpecifiedTests=false", "test"],
      ["sh", "./mvnw", "--batch-mode", "--offline", "test"],
      "maven",
    ],
    ["gradle wrapper", { "build.gradle.kts": "", gradlew: "#!/bin/sh\n" }, ["sh", "./gradlew", "--no-daemon", "testClasses"], ["sh", "./gradlew", "--no-daemon", "--offline", "test"], "gradle"],
    ["gradle", { "settings.gradle": "" }, ["gradle", "--no-daemon", "testClasses"], ["gradle", "--no-daemon", "--offline", "test"], "gradle"],
    ["make", { Makefile: "build:\n\tcc x.c\n\ntest: build\n\t./run-tests\n" }, undefined, ["make", "test"], "make"],
  ])("%s", (_name, files, setup, testCommand, runner) => {
    const plan = detect(files as Record<string, string>);

    expect(plan?.source).toBe("detected");
    expect(plan?.setup).toEqual(setup);
    expect(plan?.test).toEqual(testCommand);
    expect(plan?.runner).toBe(runner);
  });

  test("pytest with a virtual environment in HOME", () => {
    const plan = detect({
      "pyproject.toml": '[project]\nname = "x"\n\n[project.optional-dependencies]\ntest = ["pytest"]\n\n[tool.pytest.ini_options]\n',
      "requirements-dev.txt": "pytest\n",
    });

    expect(plan?.runner).toBe("pytest");
    expect(plan?.setup?.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(plan?.setup?.[2]).toContain('python3 -m venv --system-site-packages "$HOME/.venv"');
    expect(plan?.setup?.[2]).toContain("pip install -r requirements-dev.txt -e '.[test]'");
    expect(plan?.test.slice(-3)).toEqual(["-p", "no:cacheprovider", "--junitxml=/runs/r1/home/.magic-reports/pytest-junit.xml"]);
    expect(plan?.junitReports).toEqual(["/runs/r1/home/.magic-reports/pytest-junit.xml"]);
  });

  test("pytest found by its tests folder", () => {
    const plan = detect({ "setup.py": "from setuptools import setup\nsetup()\n", "tests/test_math.py": "def test_x():\n    pass\n" });

    expect(plan?.runner).toBe("pytest");
    expect(plan?.setup?.[2]).toContain("pip install -e '.'");
  });

  test("pytest without installable project", () => {
    const plan = detect({ "conftest.py": "" });

    expect(plan?.setup).toBeUndefined();
    expect(plan?.test[2]).toContain("python3 -m pytest");
  });

  test("maven reports searched in the worktree", () => {
    expect(detect({ "pom.xml": "<project/>" })?.junitReports).toEqual(["**/target/surefire-reports/TEST-*.xml"]);
  });

  test.each([
    ["placeholder npm test script", { "package.json": JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }) }],
    ["broken package.json", { "package.json": "{ not json" }],
    ["Makefile without test target", { Makefile: "build:\n\tcc x.c\n" }],
    ["Python without tests", { "pyproject.toml": '[project]\nname = "x"\n' }],
    ["nothing", { "README.md": "# x\n" }],
  ])("no plan for %s", (_name, files) => {
    expect(detect(files)).toBeUndefined();
  });

  test("Node.js wins over a Makefile", () => {
    expect(detect({ "package.json": JEST_PACKAGE, Makefile: "test:\n\tnpm test\n" })?.test).toEqual(["npm", "test"]);
  });
});

describe("planTests with config", () => {
  let folder: ReturnType<typeof temporaryFolder>;

  beforeEach(() => {
    folder = temporaryFolder("magic-plan-");
  });

  afterEach(() => folder.remove());

  test("configured command keeps detected setup", () => {
    writeFiles(folder.path, { "package.json": JEST_PACKAGE, "package-lock.json": "{}" });

    const plan = planTests(folder.path, { test_command: "npx vitest run --reporter=dot" });

    expect(plan).toEqual({
      setup: ["npm", "ci", "--no-audit", "--no-fund"],
      test: ["sh", "-c", "npx vitest run --reporter=dot"],
      source: "config",
      runner: "vitest",
    });
  });

  test("configured setup replaces detected setup", () => {
    writeFiles(folder.path, { "go.mod": "module x\n", "go.sum": "" });

    const plan = planTests(folder.path, { setup_command: "make deps" });

    expect(plan?.setup).toEqual(["sh", "-c", "make deps"]);
    expect(plan?.test).toEqual(["go", "test", "./..."]);
  });

  test("configured Maven command reads Surefire reports", () => {
    const plan = planTests(folder.path, { test_command: "./mvnw -pl core test" });

    expect(plan?.runner).toBe("maven");
    expect(plan?.junitReports).toEqual(["**/target/surefire-reports/TEST-*.xml"]);
  });
});
