import { readFileSync, statSync, unlinkSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import {
  deepSanitize,
  type Limits,
  McpwardError,
  ParamsSchemas,
  PROTOCOL_VERSION,
  removeSocketSafely,
  writeFileAtomic,
} from "@mcpward/core";
import type { Decision } from "@mcpward/policy";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import * as v from "valibot";
import { type ApprovalParams, settleDecision } from "./approval.js";
import { type CodeStamp, changedFile, stampFiles } from "./code-stamps.js";
import type { IncomingRequest } from "./connection.js";
import { DaemonAudit } from "./daemon-audit.js";
import type { DaemonSettings, DaemonSpec } from "./daemon-spec.js";
import { parseToolArguments } from "./flag-parser.js";
import { type DaemonMetadata, readMetadata } from "./metadata.js";
import type { PolicyGate } from "./policy-gate.js";
import { groupResidentMemory, processStartTime, residentMemory } from "./process-info.js";
import { RateLimiter } from "./rate-limiter.js";
import { ServerLog } from "./server-log.js";
import { SocketServer } from "./socket-server.js";
import { specSecrets } from "./spec-secrets.js";
import { Supervisor } from "./supervisor.js";
import { writeToolCount } from "./tool-count-cache.js";
import { renderToolHelp, renderToolList } from "./tool-help.js";
import { findTool } from "./tool-name.js";
import { DAEMON_VERSION } from "./version.js";

const MIB = 1024 * 1024;
/** How often a server's memory is sampled when it has a limit. */
const MEMORY_SAMPLE_MS = 2000;

/** Everything a daemon needs to run. */
export interface DaemonOptions {
  spec: DaemonSpec;
  limits: Limits;
  socketPath: string;
  metaPath: string;
  logPath: string;
  secret: string;
  /** The server's environment (caller's, filtered, plus explicit env). */
  serverEnv: Record<string, string>;
  /** Policy for this server: tool-call decisions, approvals, trust store. */
  gate: PolicyGate;
  /** The decision about starting the server, taken before the daemon bound its socket. */
  startDecision: Decision;
  /** The caller's environment (for the audit and config directories). */
  callerEnv: Readonly<Record<string, string | undefined>>;
  /** Called once the daemon has shut down. */
  onExit(reason: string): void;
}

/**
 * One daemon: a socket server in front of one supervised MCP server. Answers
 * ping, tools/list, tools/help, tools/call, cancel, status and shutdown;
 * shuts down after the idle timeout.
 */
export class Daemon {
  private readonly log: ServerLog;
  private readonly supervisor: Supervisor;
  private readonly server: SocketServer;
  private readonly limiter: RateLimiter;
  private readonly startedAt = Date.now();
  private readonly stderrListeners = new Set<(line: string) => void>();
  private idleTimer: NodeJS.Timeout | null = null;
  private idleTimeoutMs: number;
  private toolTimeoutMs: number;
  private startupTimeoutMs: number;
  private lastUsedAt = Date.now();
  private calls = 0;
  private inFlight = 0;
  private stopping: Promise<void> | null = null;
  private meta: DaemonMetadata;
  private readonly audit: DaemonAudit;
  /** False while starting the server still waits for a user's approval. */
  private startApproved: boolean;
  /** {@link changedThisTurn}'s answer for the current turn, if asked already. */
  private turnCheck: string | null | undefined;
  /** The server's files when it was last spawned (null before). */
  private spawnStamps: CodeStamp[] | null = null;
  /** The server's files when policy last decided about their content. */
  private approvedStamps: CodeStamp[];
  /** Serialises handling a code change, so one change restarts the server once. */
  private codeCheck: Promise<void> = Promise.resolve();
  /** Tool calls currently inside the server (a code-change restart waits for them). */
  private serverCalls = 0;
  private drainWaiters: Array<() => void> = [];
  /** Memory limit of the server's process group in MiB, or null for none. */
  private readonly memoryLimitMb: number | null;
  private memoryTimer: NodeJS.Timeout | null = null;
  /** The tool count last written to the cache. */
  private recordedToolCount: number | null = null;

  constructor(private readonly options: DaemonOptions) {
    const { spec, limits } = options;
    this.idleTimeoutMs = limits.idleTimeout;
    this.toolTimeoutMs = limits.toolTimeout;
    this.startupTimeoutMs = limits.startupTimeout;
    this.log = new ServerLog(options.logPath, {
      maxBytes: 5 * 1024 * 1024,
      tailLines: 20,
      secrets: specSecrets(spec),
    });
    this.limiter = new RateLimiter(limits.callRate);
    this.audit = new DaemonAudit(spec, options.callerEnv, this.log);
    this.startApproved = options.startDecision.action === "allow" || spec.approve === true;
    this.approvedStamps = options.gate.hashedStamps;
    // The smallest limit that applies: MCPWARD_SERVER_MEMORY_MB or config.
    const limitsMb = [limits.serverMemoryMb, options.gate.lifecycle.memoryLimitMb ?? 0].filter(
      (mb) => mb > 0,
    );
    this.memoryLimitMb = limitsMb.length > 0 ? Math.min(...limitsMb) : null;
    this.supervisor = new Supervisor({
      command: spec.command,
      args: spec.args,
      env: options.serverEnv,
      cwd: spec.projectDir,
      clientVersion: DAEMON_VERSION,
      startupTimeoutMs: () => this.startupTimeoutMs,
      maxLineBytes: limits.maxFrameBytes,
      killGraceMs: 2000,
      log: this.log,
      onStderr: (line) => {
        for (const listener of this.stderrListeners) listener(line);
      },
      onProcessChange: (pid) => {
        if (pid !== null) this.spawnStamps = stampFiles(options.gate.codeFiles);
        this.turnCheck = undefined;
        this.recordServerPid(pid);
      },
      onLifecycle: (event, detail) =>
        this.audit.record({
          event: `server.${event}`,
          ...(event === "crash" ? { error: { message: detail } } : {}),
        }),
    });
    this.server = new SocketServer({
      path: options.socketPath,
      maxConnections: limits.maxConnections,
      secret: options.secret,
      version: DAEMON_VERSION,
      maxFrameBytes: limits.maxFrameBytes,
      handshakeTimeoutMs: limits.handshakeTimeout,
      idleTimeoutMs: limits.connectionIdleTimeout,
      handle: (request) => this.handle(request),
      log: (message) => this.log.event(message),
    });
    this.meta = {
      daemonId: spec.daemonId,
      projectId: spec.projectId,
      projectDir: spec.projectDir,
      pid: process.pid,
      startTime: processStartTime(process.pid) ?? "",
      daemonVersion: DAEMON_VERSION,
      protocol: PROTOCOL_VERSION,
      socket: options.socketPath,
      server: {
        command: spec.command,
        args: spec.args.map((a) => this.log.mask(a)),
        envNames: Object.keys(spec.env).sort(),
      },
      startedAt: new Date(this.startedAt).toISOString(),
      serverPid: null,
      serverStartTime: null,
      secret: options.secret,
    };
  }

  /** Binds the socket, writes metadata, then starts the server eagerly. */
  async start(): Promise<void> {
    await this.server.listen();
    writeFileAtomic(this.options.metaPath, JSON.stringify(this.meta));
    this.log.event(`daemon ${this.meta.daemonId} listening (pid ${process.pid})`);
    this.armIdleTimer();
    const d = this.options.startDecision;
    this.audit.record({
      event: "policy.decision",
      decision: { action: d.action, rule: d.rule, reason: d.reason },
    });
    for (const warning of this.options.gate.warnings) this.log.event(`config: ${warning}`);
    if (this.memoryLimitMb !== null) {
      this.memoryTimer = setInterval(() => this.sampleMemory(), MEMORY_SAMPLE_MS);
      this.memoryTimer.unref();
    }
    // Eager start, unless starting waits for a user's approval. Failures are
    // recorded and reported to the first call.
    if (this.startApproved) this.startServer();
  }

  private startServer(): void {
    this.supervisor.ready().catch((error: unknown) => {
      this.log.event(
        `server failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  /** Makes sure the user approved starting the server (once per daemon). */
  private async approveStart(request: IncomingRequest, params: ApprovalParams): Promise<void> {
    if (this.startApproved) return;
    // Decided afresh: the start may have been approved since the daemon
    // started (`mcpward policy trust`, another client's "always").
    const { decision } = await this.options.gate.checkServerStart();
    const how = await settleDecision(
      decision,
      request,
      params,
      {
        kind: "server-start",
        server: this.serverLabel(),
        trustLevel: this.options.gate.classification.level,
      },
      () => this.options.gate.rememberServer(),
    );
    this.log.event(`starting the server was approved (${how})`);
    this.startApproved = true;
    // Not started here: the request goes on to checkCode, which decides again
    // if the files changed while the user was being asked, and then starts it.
  }

  /** Stops everything: socket, server process group, files. Safe to call twice. */
  shutdown(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.log.event(`shutting down: ${reason}`);
      if (this.idleTimer) clearTimeout(this.idleTimer);
      if (this.memoryTimer) clearInterval(this.memoryTimer);
      await this.server.close();
      await this.supervisor.stop();
      await this.options.gate.close().catch(() => {});
      await this.audit.close().catch(() => {});
      this.removeFiles();
      this.log.close();
      this.options.onExit(reason);
    })();
    return this.stopping;
  }

  private removeFiles(): void {
    try {
      removeSocketSafely(this.options.socketPath);
    } catch {
      // not ours any more
    }
    // Remove the metadata only if it still describes this process.
    if (readMetadata(this.options.metaPath)?.pid === process.pid) {
      try {
        unlinkSync(this.options.metaPath);
      } catch {
        // already gone
      }
    }
  }

  private recordServerPid(pid: number | null): void {
    this.meta = {
      ...this.meta,
      serverPid: pid,
      serverStartTime: pid === null ? null : processStartTime(pid),
    };
    if (this.stopping && pid === null) return;
    try {
      writeFileAtomic(this.options.metaPath, JSON.stringify(this.meta));
    } catch (error) {
      this.log.event(`could not update metadata: ${(error as Error).message}`);
    }
  }

  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const remaining = this.lastUsedAt + this.idleTimeoutMs - Date.now();
    this.idleTimer = setTimeout(
      () => {
        if (this.inFlight > 0 || this.server.busy) {
          this.lastUsedAt = Date.now();
          this.armIdleTimer();
        } else if (Date.now() - this.lastUsedAt >= this.idleTimeoutMs) {
          void this.shutdown("idle timeout");
        } else {
          this.armIdleTimer();
        }
      },
      Math.max(0, remaining),
    );
  }

  private async handle(request: IncomingRequest): Promise<unknown> {
    try {
      return await this.dispatch(request);
    } catch (error) {
      throw this.maskError(error);
    }
  }

  /**
   * An error as the client may see it: messages often repeat what the caller
   * typed (`invalid value "ghp_…" for --by`), so token-shaped values and the
   * env values given after `--` are masked as in the log.
   */
  private maskError(error: unknown): unknown {
    if (!McpwardError.isInstance(error)) return error;
    const message = this.log.mask(error.message);
    if (message === error.message) return error;
    return new McpwardError(
      error.code,
      message,
      error.data === undefined ? {} : { data: error.data },
    );
  }

  private async dispatch(request: IncomingRequest): Promise<unknown> {
    // Only use of the server counts as activity: status and ping must not
    // keep an idle daemon alive.
    if (request.method.startsWith("tools/")) this.lastUsedAt = Date.now();
    if (this.stopping) throw new McpwardError("DAEMON_FAILED", "daemon is shutting down; retry");
    const params = this.params(request);
    switch (request.method) {
      case "ping":
        return { pong: true, pid: process.pid, version: DAEMON_VERSION };
      case "tools/list":
        await this.approveStart(request, params as ApprovalParams);
        await this.checkCode(request, params as ApprovalParams);
        return { tools: await this.listTools() };
      case "tools/help":
        await this.approveStart(request, params as ApprovalParams);
        await this.checkCode(request, params as ApprovalParams);
        return this.help((params as { tool?: string }).tool);
      case "approve": {
        const { target, answer } = params as { target: number; answer: "once" | "always" | "deny" };
        return { delivered: request.connection.answerApproval(target, answer) };
      }
      case "tools/call":
        return this.call(request, params as v.InferOutput<(typeof ParamsSchemas)["tools/call"]>);
      case "cancel": {
        const target = (params as { target: number }).target;
        const cancelled = request.connection.cancel(
          target,
          new McpwardError("CANCELLED", "the call was cancelled by the client"),
        );
        return { cancelled };
      }
      case "status":
        return this.status();
      case "shutdown":
        setImmediate(() => void this.shutdown("shutdown requested"));
        return { stopping: true };
    }
  }

  private params(request: IncomingRequest): unknown {
    const schema = ParamsSchemas[request.method];
    const parsed = v.safeParse(schema, request.params);
    if (!parsed.success) {
      throw new McpwardError(
        "BAD_FRAME",
        `bad params for ${request.method}: ${v.summarize(parsed.issues).split("\n")[0]}`,
      );
    }
    return parsed.output;
  }

  /** The server's tools; a new count is remembered for `daemon status` of a stopped server. */
  private async listTools(): Promise<Tool[]> {
    const tools = await this.supervisor.listTools();
    if (tools.length !== this.recordedToolCount) {
      this.recordedToolCount = tools.length;
      const { stateDir, projectId, daemonId } = this.options.spec;
      try {
        writeToolCount(stateDir, projectId, daemonId, tools.length);
      } catch (error) {
        this.log.event(`could not record the tool count: ${(error as Error).message}`);
      }
    }
    return tools;
  }

  /**
   * Before a request uses the server. When the server's files changed since
   * it was spawned, restarts it (unless `restartOnChange` is off) and tells
   * the client in a notice. When new code is about to run (that restart, or
   * a start after a crash), decides again whether it may start: an approval
   * of the old content does not cover the new one.
   */
  private async checkCode(request: IncomingRequest, params: ApprovalParams): Promise<void> {
    if (this.changedThisTurn() === null && !this.unapprovedCodeWouldStart()) return;
    const turn = this.codeCheck.then(() => this.handleCodeChange(request, params));
    this.codeCheck = turn.catch(() => {});
    await turn;
  }

  /**
   * {@link changedSinceSpawn}, checked once per event-loop turn: requests
   * that arrive together share one stat of the files (a change before the
   * turn began is seen by all of them, as before).
   */
  private changedThisTurn(): string | null {
    if (this.turnCheck !== undefined) return this.turnCheck;
    const changed = this.changedSinceSpawn();
    this.turnCheck = changed;
    setImmediate(() => {
      this.turnCheck = undefined;
    });
    return changed;
  }

  /**
   * The file whose change should restart the server, or null: only a running
   * server, or one the circuit breaker gave up on (the change may be the fix).
   */
  private changedSinceSpawn(): string | null {
    if (!this.options.gate.lifecycle.restartOnChange || this.spawnStamps === null) return null;
    if (this.supervisor.pid === null && this.supervisor.state !== "failed") return null;
    return changedFile(this.spawnStamps);
  }

  /** True when the server is down and would start from files policy has not seen. */
  private unapprovedCodeWouldStart(): boolean {
    return this.supervisor.pid === null && changedFile(this.approvedStamps) !== null;
  }

  private async handleCodeChange(request: IncomingRequest, params: ApprovalParams): Promise<void> {
    // Another request may have handled the change while this one waited.
    const file = this.changedSinceSpawn();
    if (file === null && !this.unapprovedCodeWouldStart()) return;
    if (changedFile(this.approvedStamps) !== null) {
      const gate = this.options.gate;
      const stamps = await gate.rehash();
      const { decision } = await gate.checkServerStart();
      this.audit.record({
        event: "policy.decision",
        decision: { action: decision.action, rule: decision.rule, reason: decision.reason },
      });
      await settleDecision(
        decision,
        request,
        params,
        {
          kind: "server-start",
          server: this.serverLabel(),
          trustLevel: gate.classification.level,
        },
        () => gate.rememberServer(),
      );
      this.approvedStamps = stamps;
    }
    if (file === null) return;
    // Calls running on the old server finish first; new ones wait for the restart.
    while (this.serverCalls > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
    this.log.event(`${file} changed; restarting the server`);
    await this.supervisor.restart();
    request.emit("notice", { message: `restarted the server: ${file} changed` });
  }

  /** Stops a server whose process group is over its memory limit (counted as a crash). */
  private sampleMemory(): void {
    const pid = this.supervisor.pid;
    if (this.memoryLimitMb === null || pid === null || this.supervisor.state !== "ready") return;
    const used = groupResidentMemory(pid);
    if (used === null || used <= this.memoryLimitMb * MIB) return;
    void this.supervisor.terminate(
      `server used ${Math.round(used / MIB)} MiB, over its limit of ${this.memoryLimitMb} MiB; stopped`,
    );
  }

  private async help(toolName: string | undefined): Promise<{ text: string; tool?: string }> {
    const tools = await this.listTools();
    const label = this.serverLabel();
    if (toolName === undefined) return { text: renderToolList(tools, label) };
    const tool = findTool(tools, toolName);
    return { text: renderToolHelp(tool, label), tool: tool.name };
  }

  /**
   * Applies a client's daemon settings: idle and startup timeouts from now
   * on; a tool timeout only to that client's call (see {@link call}).
   */
  private applySettings(settings: DaemonSettings): void {
    if (settings.idleTimeout !== undefined) {
      this.idleTimeoutMs = Math.max(1000, settings.idleTimeout * 1000);
      this.armIdleTimer();
    }
    if (settings.startupTimeout !== undefined)
      this.startupTimeoutMs = settings.startupTimeout * 1000;
  }

  private async call(
    request: IncomingRequest,
    params: v.InferOutput<(typeof ParamsSchemas)["tools/call"]>,
  ): Promise<unknown> {
    if (params.settings) this.applySettings(params.settings);
    if (!this.limiter.take()) {
      throw new McpwardError(
        "RATE_LIMITED",
        "too many calls per second for this daemon; slow down or raise MCPWARD_CALL_RATE",
      );
    }
    if (this.inFlight >= this.options.limits.maxInFlight) {
      throw new McpwardError(
        "LIMIT_EXCEEDED",
        `${this.inFlight} calls are already running on this daemon; retry later or raise MCPWARD_MAX_IN_FLIGHT`,
      );
    }
    this.inFlight++;
    const listener = (line: string) => request.emit("stderr", line);
    if (params.stderr) this.stderrListeners.add(listener);
    const started = Date.now();
    let toolName: string = params.tool;
    let args: Record<string, unknown> | undefined;
    let decision: Decision | undefined;
    try {
      await this.approveStart(request, params);
      await this.checkCode(request, params);
      const tools = await this.listTools();
      const tool = findTool(tools, params.tool);
      toolName = tool.name;
      // `arguments` arrived in a frame the connection already sanitised.
      args = params.arguments
        ? params.arguments
        : parseToolArguments(params.tokens ?? [], tool, {
            cwd: params.cwd ?? this.options.spec.projectDir,
            readFile: (path) =>
              this.readArgumentFile(params.cwd ?? this.options.spec.projectDir, path),
          });
      decision = await this.options.gate.checkToolCall(tool, args);
      await settleDecision(
        decision,
        request,
        params,
        {
          kind: "tool-call",
          server: this.serverLabel(),
          tool: tool.name,
          arguments: this.log.maskValue(args),
          trustLevel: this.options.gate.classification.level,
        },
        () => this.options.gate.rememberTool(tool.name),
      );
      this.serverCalls++;
      const { result, bytes } = await this.supervisor
        .callTool(tool.name, args, {
          signal: request.signal,
          timeoutMs: (params.settings?.toolTimeout ?? this.toolTimeoutMs / 1000) * 1000,
          onProgress: (progress) => request.emit("progress", progress),
        })
        .finally(() => {
          this.serverCalls--;
          if (this.serverCalls > 0) return;
          const waiters = this.drainWaiters;
          this.drainWaiters = [];
          for (const wake of waiters) wake();
        });
      this.calls++;
      const safe = deepSanitize<Record<string, unknown>>(result, {
        maxBytes: this.options.limits.maxFrameBytes * 2,
      });
      this.auditCall(toolName, args, decision, started, params.clientPid, {
        outcome: safe.isError === true ? "tool-error" : "ok",
        resultBytes: bytes,
      });
      return safe;
    } catch (error) {
      this.auditCall(toolName, args, decision, started, params.clientPid, { error });
      throw error;
    } finally {
      // Let stderr the server wrote just before its answer reach the client.
      if (params.stderr) await new Promise((r) => setTimeout(r, 20));
      this.stderrListeners.delete(listener);
      this.inFlight--;
      this.lastUsedAt = Date.now();
    }
  }

  private auditCall(
    tool: string,
    args: Record<string, unknown> | undefined,
    decision: Decision | undefined,
    started: number,
    clientPid: number | undefined,
    result: { outcome?: "ok" | "tool-error"; resultBytes?: number; error?: unknown },
  ): void {
    const code = McpwardError.isInstance(result.error)
      ? result.error.code
      : result.error
        ? "INTERNAL"
        : undefined;
    const outcome =
      result.outcome ??
      (code === "POLICY_DENIED" || code === "APPROVAL_REFUSED"
        ? "denied"
        : code === "TIMEOUT"
          ? "timeout"
          : code === "CANCELLED"
            ? "cancelled"
            : "failed");
    this.audit.record({
      event: "tool.call",
      tool,
      arguments: args,
      decision: decision && {
        action: decision.action,
        rule: decision.rule,
        reason: decision.reason,
      },
      durationMs: Date.now() - started,
      outcome,
      resultBytes: result.resultBytes,
      clientPid,
      error: result.error instanceof Error ? { code, message: result.error.message } : undefined,
    });
  }

  private readArgumentFile(cwd: string, path: string): string {
    const full = isAbsolute(path) ? path : resolve(cwd, path);
    let size: number;
    try {
      size = statSync(full).size;
    } catch {
      throw new McpwardError("INVALID_ARGUMENT", `cannot read @${path}: no such file`);
    }
    if (size > this.options.limits.maxFrameBytes) {
      throw new McpwardError(
        "LIMIT_EXCEEDED",
        `@${path} is ${size} bytes, over the frame cap; pass a smaller file`,
      );
    }
    return readFileSync(full, "utf8");
  }

  private serverLabel(): string {
    const env = this.meta.server.envNames.map((name) => `${name}=***`);
    return [...env, this.options.spec.command, ...this.meta.server.args].join(" ");
  }

  private status(): Record<string, unknown> {
    const s = this.supervisor;
    const serverPid = s.pid;
    const state = s.state === "ready" && this.inFlight > 0 ? "busy" : s.state;
    return {
      daemonId: this.meta.daemonId,
      projectId: this.meta.projectId,
      projectDir: this.meta.projectDir,
      server: this.serverLabel(),
      state,
      pid: process.pid,
      serverPid,
      daemonVersion: DAEMON_VERSION,
      startedAt: this.meta.startedAt,
      uptimeMs: Date.now() - this.startedAt,
      lastUsedAt: new Date(this.lastUsedAt).toISOString(),
      idleRemainingMs: Math.max(0, this.lastUsedAt + this.idleTimeoutMs - Date.now()),
      calls: this.calls,
      inFlight: this.inFlight,
      connections: this.server.size,
      restarts: s.restarts,
      tools: s.knownTools?.length ?? null,
      memory: {
        daemon: process.memoryUsage().rss,
        server: serverPid === null ? null : residentMemory(serverPid),
      },
      memoryLimit: this.memoryLimitMb === null ? null : this.memoryLimitMb * MIB,
      restartOnChange: this.options.gate.lifecycle.restartOnChange,
      lastError: s.lastError,
      recentStderr: this.log.recentStderr().slice(-5),
      logPath: this.options.logPath,
    };
  }
}
