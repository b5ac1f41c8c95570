import { access, chmod, lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";

/**
 * Deletes a folder and everything in it. When untrusted code has removed the write or search permission
 * of a subfolder, it restores the owner's permissions and tries again. A missing folder is not an error.
 */
export async function removeFolder(target: string): Promise<void> {
  try {
    await rm(target, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EACCES" && code !== "EPERM") throw error;
    await restoreOwnerPermissions(target);
    await rm(target, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function restoreOwnerPermissions(folder: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(folder);
  } catch {
    return;
  }
  if (!stats.isDirectory()) return;
  await chmod(folder, (stats.mode & 0o7777) | 0o700);
  for (const entry of await readdir(folder)) await restoreOwnerPermissions(path.join(folder, entry));
}

/** Returns true when `target` exists; a path that cannot be checked counts as missing. */
export async function exists(target: string): Promise<boolean> {
  try {
    await access(target);
    return true;
  } catch {
    return false;
  }
}

/** Lists a folder's entries; a missing folder has none. */
export async function listFolder(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
