/**
 * The tinypool worker that runs policy plugins (a separate build entry, loaded
 * by path). It loads each plugin module once and caches it, calls one hook
 * per task and returns plain data. The host validates what comes back and
 * enforces the time and memory limits.
 *
 * A worker thread isolates faults, not malice: it shares the process. The
 * overrides below make common faults fail fast instead of waiting for the
 * time limit (`process.exit` would otherwise end the thread silently) or
 * taking mcpward down with them (`process.abort`, `process.kill`).
 */

import { pathToFileURL } from "node:url";

/** A task from the host. */
export type PluginTask =
  | { kind: "load"; path: string }
  | { kind: "checkServerStart" | "checkToolCall"; path: string; context: unknown };

/** What a load task returns. */
export interface LoadResult {
  name: string;
  hooks: string[];
}

interface LoadedPolicy {
  name: string;
  checkServerStart?: (context: unknown) => unknown;
  checkToolCall?: (context: unknown) => unknown;
}

const HOOKS = ["checkServerStart", "checkToolCall"] as const;

function refuse(what: string): never {
  throw new Error(`the plugin called ${what}, which policy plugins may not do`);
}

const exit = process.exit.bind(process);
process.exit = ((code?: number) => {
  // Node itself ends a worker with process.exit() after an uncaught
  // exception, once it has set _exiting; that exit must go through.
  if ((process as { _exiting?: boolean })._exiting === true) return exit(code);
  return refuse(`process.exit(${code ?? ""})`);
}) as typeof process.exit;
process.abort = (() => refuse("process.abort()")) as typeof process.abort;
process.kill = (() => refuse("process.kill()")) as typeof process.kill;
// mcpward prints tool results on stdout; a plugin's logging must not mix in.
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

const modules = new Map<string, Promise<LoadedPolicy>>();

function describe(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "a value that cannot be shown";
  }
}

async function importPolicy(path: string): Promise<LoadedPolicy> {
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const candidate = (module.default ?? module.policy) as Record<string, unknown> | undefined;
  if (candidate === null || typeof candidate !== "object") {
    throw new Error(
      "does not export a policy (export default definePolicy({ name, checkToolCall }))",
    );
  }
  if (typeof candidate.name !== "string" || candidate.name === "") {
    throw new Error("exports a policy without a name");
  }
  for (const hook of HOOKS) {
    if (candidate[hook] !== undefined && typeof candidate[hook] !== "function") {
      throw new Error(`exports a policy whose ${hook} is not a function`);
    }
  }
  return candidate as unknown as LoadedPolicy;
}

function load(path: string): Promise<LoadedPolicy> {
  let loaded = modules.get(path);
  if (loaded === undefined) {
    loaded = importPolicy(path);
    modules.set(path, loaded);
  }
  return loaded;
}

/** Copies a result as plain JSON data (what the host will validate). */
function plain(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value) ?? "null");
  } catch (error) {
    throw new Error(`returned a value that is not plain data (${describe(error)})`);
  }
}

/** Runs one task; errors are rethrown as plain Errors with a short message. */
export default async function runPluginTask(task: PluginTask): Promise<unknown> {
  try {
    const policy = await load(task.path);
    if (task.kind === "load") {
      const result: LoadResult = {
        name: policy.name.slice(0, 200),
        hooks: HOOKS.filter((hook) => typeof policy[hook] === "function"),
      };
      return result;
    }
    const hook = policy[task.kind];
    if (typeof hook !== "function") return undefined;
    return plain(await hook.call(policy, task.context));
  } catch (error) {
    throw new Error(describe(error).slice(0, 300));
  }
}
