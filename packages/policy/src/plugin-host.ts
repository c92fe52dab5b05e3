/**
 * Runs custom policy plugins isolated in tinypool worker threads, one pool
 * per plugin, with a time limit per decision and a memory limit. Every
 * failure fails closed: a plugin that cannot be resolved, is not approved,
 * does not load, throws, hangs, exits, crashes, runs out of memory or returns
 * something invalid yields `deny` (rule `plugin.failed` or
 * `plugin.unapproved`) naming the plugin. The host only returns the plugins'
 * decisions; the caller combines them with the built-in ones through
 * `combineDecisions`, so a plugin can tighten but never loosen.
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deepSanitize, McpwardError, redactSecrets } from "@mcpward/core";
import { Tinypool } from "tinypool";
import * as v from "valibot";
import { DecisionSchema } from "./decision-schema.js";
import { type PolicySource, type ResolvedPolicy, resolvePolicy } from "./plugin-resolve.js";
import type { LoadResult, PluginTask } from "./plugin-worker.js";
import type { Decision, ServerInfo, ServerStartContext, ToolCallContext } from "./policy.js";

/** Options for {@link PluginHost.create}. */
export interface PluginHostOptions {
  /** Real path of the project: specifiers resolve from here. */
  projectDir: string;
  /**
   * Plugins in order. A plain string counts as named by the project config
   * (it needs approval); pass `PolicyReference`s from `loadConfig` to keep
   * the origin.
   */
  specifiers: readonly (string | PolicySource)[];
  /** Time limit per decision per plugin, ms (default 2000, 10 to 60000). */
  timeoutMs?: number;
  /** Heap limit per plugin worker, MiB (default 64, 16 to 4096). */
  memoryMb?: number;
  /**
   * Whether a project-config plugin may load (e.g. `TrustStore.isPolicyApproved`).
   * Without it, project plugins are not loaded and their decisions are deny.
   */
  isApproved?: (plugin: ResolvedPolicy) => boolean;
}

/** Where each plugin stands, for `policy check` and status output. */
export interface PluginStatus {
  specifier: string;
  /** The policy's own name once loaded, else the specifier. */
  name: string;
  path: string | null;
  state: "ready" | "failed" | "unapproved";
}

interface Slot {
  specifier: string;
  name: string;
  path: string | null;
  pool: Tinypool | null;
  hooks: readonly string[];
  /** A permanent failure: every decision of this plugin is this one. */
  failure: Decision | null;
}

const MAX_PLUGINS = 16;

function clamp(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value)) throw new TypeError("PluginHost: limits must be finite numbers");
  return Math.min(max, Math.max(min, value));
}

/** The built worker, next to this module in dist (or in dist when running from src in tests). */
function workerFile(): string {
  for (const candidate of ["./plugin-worker.js", "../dist/plugin-worker.js"]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new McpwardError("INTERNAL", "plugin-worker.js is missing; build @mcpward/policy");
}

/** One line without control or bidirectional-override characters, capped. */
function oneLine(text: string, max: number): string {
  const line = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, " ")
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Text from a plugin (an error message, its name): one line, secrets masked, capped. */
function clean(text: string, max = 200): string {
  return oneLine(redactSecrets(text), max);
}

function failed(name: string, what: string): Decision {
  return {
    action: "deny",
    reason: oneLine(`policy plugin "${name}" ${what}; denied to fail closed`, 500),
    rule: "plugin.failed",
  };
}

function explain(error: unknown, timeoutMs: number, memoryMb: number, timedOut: boolean): string {
  if (timedOut) return `did not answer within ${timeoutMs} ms`;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_WORKER_OUT_OF_MEMORY") return `ran out of memory (limit ${memoryMb} MiB)`;
  const message = error instanceof Error ? error.message : String(error);
  return `failed (${clean(message)})`;
}

function serverInfo(server: ServerInfo): ServerInfo {
  return {
    command: String(server.command),
    executable: server.executable === null ? null : String(server.executable),
    ...(server.script === undefined
      ? {}
      : { script: server.script === null ? null : String(server.script) }),
    args: server.args.map(String),
    envNames: server.envNames.map(String),
    name: server.name === null ? null : String(server.name),
    trustLevel: server.trustLevel,
  };
}

/** Runs policy plugins for one project. */
export class PluginHost {
  readonly #slots: Slot[];
  readonly #timeoutMs: number;
  readonly #memoryMb: number;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(slots: Slot[], timeoutMs: number, memoryMb: number) {
    this.#slots = slots;
    this.#timeoutMs = timeoutMs;
    this.#memoryMb = memoryMb;
  }

  /**
   * Resolves, checks and loads each plugin. Problems with a plugin do not
   * throw: they turn that plugin's every decision into deny with the reason.
   *
   * @throws McpwardError `LIMIT_EXCEEDED` for more than 16 plugins; whatever
   *   `isApproved` throws (e.g. the trust store's errors)
   */
  static async create(options: PluginHostOptions): Promise<PluginHost> {
    if (options.specifiers.length > MAX_PLUGINS) {
      throw new McpwardError(
        "LIMIT_EXCEEDED",
        `${options.specifiers.length} policy plugins configured; at most ${MAX_PLUGINS} are run`,
      );
    }
    const timeoutMs = clamp(options.timeoutMs, 2000, 10, 60_000);
    const memoryMb = clamp(options.memoryMb, 64, 16, 4096);
    const host = new PluginHost([], timeoutMs, memoryMb);
    const filename = workerFile();
    const results = await Promise.allSettled(
      options.specifiers.map((given) =>
        host.#open(typeof given === "string" ? { specifier: given, origin: "project" } : given, {
          ...options,
          filename,
        }),
      ),
    );
    for (const result of results) if (result.status === "fulfilled") host.#slots.push(result.value);
    const failure = results.find((result) => result.status === "rejected");
    if (failure !== undefined) {
      // Only isApproved can throw here (e.g. a corrupt trust store): report it, leak no worker.
      await host.close();
      throw failure.reason;
    }
    return host;
  }

  async #open(
    source: PolicySource,
    options: PluginHostOptions & { filename: string },
  ): Promise<Slot> {
    const slot: Slot = {
      specifier: source.specifier,
      name: source.specifier,
      path: null,
      pool: null,
      hooks: [],
      failure: null,
    };
    let resolved: ResolvedPolicy;
    try {
      resolved = await resolvePolicy(options.projectDir, source);
    } catch (error) {
      slot.failure = failed(slot.name, `could not be loaded: ${explain(error, 0, 0, false)}`);
      return slot;
    }
    slot.path = resolved.path;
    if (resolved.origin === "project" && options.isApproved?.(resolved) !== true) {
      slot.failure = {
        action: "deny",
        reason: oneLine(
          `policy plugin "${slot.name}" from the project config is not approved yet (it would run code from the project); review ${resolved.path}, then approve it with \`mcpward policy trust --plugin ${source.specifier}\``,
          500,
        ),
        rule: "plugin.unapproved",
      };
      return slot;
    }
    slot.pool = new Tinypool({
      filename: options.filename,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: 60_000,
      isolateWorkers: false,
      // Not inherited from how mcpward was started (--inspect, --input-type, loaders).
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: this.#memoryMb,
        maxYoungGenerationSizeMb: Math.min(16, this.#memoryMb / 4),
        stackSizeMb: 4,
      },
      // Plugins see no caller secrets in process.env: only what locale and paths need.
      env: Object.fromEntries(
        ["HOME", "PATH", "LANG", "TZ", "NODE_ENV"].flatMap((key) =>
          process.env[key] === undefined ? [] : [[key, process.env[key]!]],
        ),
      ),
    });
    // A fault while no task runs (a timer that throws later) must not crash
    // mcpward; tinypool replaces the worker and the next decision reloads.
    slot.pool.on("error", () => {});
    try {
      const loaded = (await this.#run(slot, { kind: "load", path: resolved.path }, true)) as
        | LoadResult
        | undefined;
      slot.name = clean(loaded?.name ?? slot.specifier, 100);
      slot.hooks = loaded?.hooks ?? [];
    } catch (error) {
      slot.failure = failed(slot.name, `could not be loaded: ${(error as Error).message}`);
      await slot.pool.destroy().catch(() => {});
      slot.pool = null;
    }
    return slot;
  }

  /** Runs one task with the time limit; the pool terminates a worker whose task is aborted. */
  async #run(slot: Slot, task: PluginTask, loading = false): Promise<unknown> {
    const pool = slot.pool;
    if (pool === null) throw new Error("not loaded");
    // Loading may import a large module tree: allow it at least 5 s.
    const limit = loading ? Math.max(this.#timeoutMs, 5000) : this.#timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limit);
    try {
      return await pool.run(task, { signal: controller.signal });
    } catch (error) {
      throw new Error(explain(error, limit, this.#memoryMb, timedOut));
    } finally {
      clearTimeout(timer);
    }
  }

  async #decide(
    slot: Slot,
    kind: "checkServerStart" | "checkToolCall",
    context: unknown,
  ): Promise<Decision | undefined> {
    if (slot.failure !== null) return slot.failure;
    if (this.#closed) return failed(slot.name, "was stopped");
    if (!slot.hooks.includes(kind)) return undefined;
    let result: unknown;
    try {
      result = await this.#run(slot, { kind, path: slot.path!, context });
    } catch (error) {
      return failed(slot.name, (error as Error).message);
    }
    if (result === undefined) return undefined;
    const parsed = v.safeParse(DecisionSchema, result);
    if (!parsed.success) {
      // valibot's own messages quote the value; the schema's messages do not.
      const message = parsed.issues[0]!.message;
      const why = message.startsWith("Invalid ")
        ? "expected { action, reason, rule } or undefined"
        : message;
      return failed(slot.name, `returned an invalid decision (${why})`);
    }
    return { action: parsed.output.action, reason: parsed.output.reason, rule: parsed.output.rule };
  }

  /** Decisions run one at a time, so a queued task never eats into another's time limit. */
  #serial(kind: "checkServerStart" | "checkToolCall", context: () => unknown): Promise<Decision[]> {
    const run = async (): Promise<Decision[]> => {
      let plain: unknown;
      try {
        plain = context();
      } catch (error) {
        return this.#slots.map((slot) =>
          failed(slot.name, `could not be given the request (${clean(String(error))})`),
        );
      }
      const decisions = await Promise.all(this.#slots.map((s) => this.#decide(s, kind, plain)));
      return decisions.filter((d): d is Decision => d !== undefined);
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Each plugin's decision before a server starts (abstentions left out). */
  checkServerStart(context: ServerStartContext): Promise<Decision[]> {
    return this.#serial("checkServerStart", () => ({
      server: serverInfo(context.server),
      projectDir: String(context.projectDir),
    }));
  }

  /**
   * Each plugin's decision before a tool call (abstentions left out). Arguments
   * are passed as given (redact them first if needed); env values never are.
   */
  checkToolCall(context: ToolCallContext): Promise<Decision[]> {
    return this.#serial("checkToolCall", () => ({
      server: serverInfo(context.server),
      projectDir: String(context.projectDir),
      tool: {
        name: String(context.tool.name),
        ...(context.tool.annotations === undefined
          ? {}
          : { annotations: deepSanitize(context.tool.annotations, { maxBytes: 64 * 1024 }) }),
      },
      arguments: deepSanitize(context.arguments, { maxBytes: 4 * 1024 * 1024 }),
    }));
  }

  /** The plugins and their state. */
  get plugins(): PluginStatus[] {
    return this.#slots.map((slot) => ({
      specifier: slot.specifier,
      name: slot.name,
      path: slot.path,
      state:
        slot.failure === null
          ? "ready"
          : slot.failure.rule === "plugin.unapproved"
            ? "unapproved"
            : "failed",
    }));
  }

  /** Stops every worker. Later decisions are deny. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((slot) => slot.pool?.destroy().catch(() => {})));
  }
}
