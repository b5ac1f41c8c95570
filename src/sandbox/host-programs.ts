import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** Returns the absolute path of `name`, searched on `pathVariable` as a shell would, or undefined. */
export function findProgram(name: string, pathVariable: string | undefined): string | undefined {
  if (name.includes("/")) return isExecutableFile(name) ? path.resolve(name) : undefined;
  for (const directory of (pathVariable ?? "").split(":")) {
    if (!directory || !path.isAbsolute(directory)) continue;
    const candidate = path.join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
