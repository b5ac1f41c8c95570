import type { TestPlan } from "../../sandbox/test-command.js";

/**
 * Returns the test command narrowed to some test files, or undefined when the runner cannot take
 * files on its command line, in which case the whole suite runs. The paths are checked by the caller.
 */
export function testCommandFor(plan: Pick<TestPlan, "test" | "runner" | "source">, paths: string[]): string[] | undefined {
  if (paths.length === 0) return plan.test;
  // A command from the repository config is a shell line; appending arguments to it could change its meaning.
  if (plan.source === "config") return undefined;
  const [program, ...rest] = plan.test;
  if (program === "npm") return [...plan.test, "--", ...paths];
  if (program === "corepack") return [...plan.test, ...paths];
  if (plan.runner === "pytest") return [...plan.test, ...paths];
  if (plan.runner === "go-test") return [program as string, ...rest.filter((argument) => argument !== "./..."), ...paths.map(goPackageOf)];
  return undefined;
}

function goPackageOf(filePath: string): string {
  const folder = filePath.includes("/") ? filePath.slice(0, filePath.lastIndexOf("/")) : ".";
  return folder === "." ? "." : `./${folder}`;
}
