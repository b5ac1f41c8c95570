import type { Logger } from "pino";
import { type Environment, SettingsEnvironment } from "../config/settings.js";
import type { ModelSettings } from "../llm/model-settings.js";
import { LocalRunError } from "../local/errors.js";
import { type Sandbox, SandboxError } from "../sandbox/sandbox.js";
import { selectSandbox } from "../sandbox/select.js";
import { WorkspaceManager } from "../workspace/workspace-manager.js";
import { commandModelSettings } from "./model-options.js";
import { GOLD_MODEL_ID } from "../eval/bench/gold-model.js";
import { removeStaleRunFolders } from "../local/run-folders.js";

/** Disk that local mirrors may use; a local command works on one or a few repositories. */
const LOCAL_MIRROR_BYTES = 20 * 1000 ** 3;

/** The parts a local command shares with the app: sandbox and workspaces. */
export interface LocalParts {
  sandbox: Sandbox;
  workspaces: WorkspaceManager;
  workDir: string;
}

/** Selects the sandbox named by MAGIC_SANDBOX and opens the work folder, removing worktrees a killed command left. */
export async function openLocalParts(env: Environment, workDir: string, log: Logger): Promise<LocalParts> {
  const kind = SettingsEnvironment.shape.MAGIC_SANDBOX.safeParse(env.MAGIC_SANDBOX?.trim() || undefined);
  if (!kind.success) throw new LocalRunError("invalid-option", kind.error.issues[0]?.message ?? "MAGIC_SANDBOX is invalid");
  let sandbox: Sandbox;
  try {
    sandbox = await selectSandbox({ kind: kind.data, dockerImage: env.MAGIC_SANDBOX_IMAGE?.trim() || undefined, log });
  } catch (error) {
    if (error instanceof SandboxError) throw new LocalRunError("invalid-option", error.message, { cause: error });
    throw error;
  }
  // A spare worktree would stay on disk after the command ends, for a next run that may never come.
  const workspaces = new WorkspaceManager({ workDir, maxMirrorBytes: LOCAL_MIRROR_BYTES, log, spareWorktrees: false });
  await workspaces.removeStaleWorktrees();
  await removeStaleRunFolders(workDir, log);
  return { sandbox, workspaces, workDir };
}

/** Resolves `--model`, else MAGIC_MODEL, to usable settings before anything is cloned. */
export function localModelSettings(modelId: string | undefined, env: Environment, command: string): ModelSettings {
  const id = modelId ?? env.MAGIC_MODEL?.trim();
  if (!id) throw new LocalRunError("invalid-option", `--model is missing: give a model id such as anthropic:claude-sonnet-4-5, or set MAGIC_MODEL. See magic ${command} --help.`);
  if (id === GOLD_MODEL_ID) {
    throw new LocalRunError("invalid-option", `--model gold works only with magic bench, which answers each task with its gold_patch: give magic ${command} a model id such as anthropic:claude-sonnet-4-5, or replay:FILE.`);
  }
  const built = commandModelSettings(id, env);
  if (built.ok) return built.settings;
  throw new LocalRunError("invalid-option", `--model ${id} cannot be used:\n${built.problems.map((problem) => `  - ${problem}`).join("\n")}`);
}
