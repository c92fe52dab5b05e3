import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { configRoot, McpwardError } from "@mcpward/core";
import {
  checkCommand,
  checkEnv,
  checkEnvFiles,
  checkPathArguments,
  checkToolCall,
  classifyServer,
  codeFiles,
  combineDecisions,
  commandLineRules,
  type Decision,
  decideTrust,
  type EffectiveRules,
  hashExecutable,
  type LoadedConfig,
  loadConfig,
  PluginHost,
  PROJECT_CONFIG_FILE,
  type ResolvedServer,
  resolveNamedServer,
  type ServerInfo,
  scriptArgument,
  serverEnvironment,
  type TrustClassification,
  TrustStore,
} from "@mcpward/policy";
import { type CodeStamp, stampFiles } from "./code-stamps.js";
import { type LifecycleSettings, lifecycleSettings } from "./server-settings.js";

type Env = Readonly<Record<string, string | undefined>>;

/** What the gate needs to know about the server it guards. */
export interface PolicyGateOptions {
  command: string;
  args: string[];
  /** Explicit env given after `--` (values never leave this object). */
  env: Record<string, string>;
  projectDir: string;
  /**
   * Stable identity of the server for the trust store: the daemon id without
   * the profile (`computeDaemonId` of the spec and its config name).
   */
  serverKey: string;
  /** The caller's environment: PATH, config directory, `${VAR}` values. */
  callerEnv: Env;
  profile?: string | undefined;
  /**
   * `mcpward -s <name>`: the config server the client resolved to this
   * command, args and env. Its rules apply instead of the command line's.
   */
  serverName?: string | undefined;
}

/** A decision about one tool call, with what the caller needs to ask. */
export interface ToolDecision extends Decision {
  /** True when an earlier "always" answer turned an ask into allow. */
  remembered?: boolean;
}

/**
 * The daemon's enforcement point for policy: classifies the server once
 * (trust level, executable and script content hash), decides whether it may
 * start, builds its environment, and decides every tool call: built-in
 * command, env, tool and path-root rules, approvals in the user's trust
 * store, and custom policy plugins (isolated; failures deny). Decisions
 * combine deny > ask > allow, so a plugin can never loosen a built-in deny.
 */
export class PolicyGate {
  private constructor(
    private readonly options: PolicyGateOptions,
    /** The trust level and files; classified again when the config changes. */
    public classification: TrustClassification,
    /** The rules of the config as last loaded. */
    public rules: EffectiveRules,
    private contentHash: string,
    private readonly trust: TrustStore,
    private plugins: PluginHost | null,
    /** Warnings from loading config, for the log. */
    readonly warnings: string[],
    /** Restart on code change and memory limit, from config. */
    readonly lifecycle: LifecycleSettings,
    /** The config server this daemon runs (`mcpward -s <name>`), as last loaded. */
    private named: ResolvedServer | null,
    /**
     * Stamps of {@link codeFiles}, and of the executable and script as the
     * command line names them (a retargeted symlink), taken before hashing.
     */
    readonly hashedStamps: CodeStamp[],
  ) {}

  /** Stamp of the config files the rules were loaded from. */
  private configStamp = "";
  /** The user's deny list, from the config as last loaded. */
  private denyList: readonly string[] = [];
  private reloading: Promise<void> | null = null;

  /**
   * Loads config and the trust store and classifies the server.
   *
   * @throws McpwardError `BAD_CONFIG` for an invalid config file,
   *   `UNSAFE_PATH` for a tampered trust store.
   */
  static async open(options: PolicyGateOptions): Promise<PolicyGate> {
    // Stamp before loading: an edit in between then shows up as a change later.
    const stamp = configStamp(options);
    const config = loadConfig({
      projectDir: options.projectDir,
      env: options.callerEnv,
      profile: options.profile,
    });
    const named = namedServer(config, options);
    const rules = named?.rules ?? commandLineRules(config);
    const trust = TrustStore.open(options.callerEnv);
    const classification = classify(
      options,
      config.merged.denyList,
      configApproved(named, options, trust),
    );
    const files = codeFiles(classification);
    // Stamp before hashing: a change in between then shows up as a change later.
    const stamps = stampFiles([...files, ...givenPaths(options)]);
    const contentHash = files.length > 0 ? await hashExecutable(files) : "missing";
    const plugins = await createPlugins(options, rules, trust);
    const gate = new PolicyGate(
      options,
      classification,
      rules,
      contentHash,
      trust,
      plugins,
      config.warnings,
      named === null
        ? lifecycleSettings(config, rules, options.serverKey)
        : { restartOnChange: rules.restartOnChange, memoryLimitMb: rules.memoryLimitMb },
      named,
      stamps,
    );
    gate.configStamp = stamp;
    gate.denyList = config.merged.denyList;
    return gate;
  }

  /**
   * Loads the config again when one of its files changed, so an edit (a new
   * `tools.deny`, a `denyList` entry, a plugin) applies from the next decision
   * instead of when the daemon next restarts. An invalid edit throws
   * `BAD_CONFIG` from the decision: it fails closed.
   */
  private async refreshConfig(): Promise<void> {
    const stamp = configStamp(this.options);
    if (stamp === this.configStamp) return;
    this.reloading ??= this.reload(stamp).finally(() => {
      this.reloading = null;
    });
    await this.reloading;
  }

  private async reload(stamp: string): Promise<void> {
    const o = this.options;
    const config = loadConfig({ projectDir: o.projectDir, env: o.callerEnv, profile: o.profile });
    const named = namedServer(config, o);
    const rules = named?.rules ?? commandLineRules(config);
    if (JSON.stringify(rules.policies) !== JSON.stringify(this.rules.policies)) {
      const old = this.plugins;
      this.plugins = await createPlugins(o, rules, this.trust);
      await old?.close();
    }
    this.rules = rules;
    this.named = named;
    this.denyList = config.merged.denyList;
    // A server put on the deny list stops being served (see checkToolCall).
    this.classification = classify(o, this.denyList, this.configApproved());
    this.configStamp = stamp;
  }

  /**
   * The files the server runs: its executable and, for an interpreter, the
   * script and the modules it preloads.
   */
  get codeFiles(): string[] {
    return codeFiles(this.classification);
  }

  /**
   * Hashes the server's files again after they changed, so the next
   * {@link checkServerStart} (and an "always" answer) is about the new
   * content: an approval by content hash never covers code it did not see.
   *
   * @returns stamps taken just before hashing
   * @throws McpwardError `SERVER_START_FAILED` when a file is gone or unreadable
   */
  async rehash(): Promise<CodeStamp[]> {
    // The files themselves may be others now (a symlink pointed elsewhere):
    // classify again, so a script moved into /tmp is level 4 before it runs.
    this.classification = classify(this.options, this.denyList, this.configApproved());
    const files = this.codeFiles;
    const stamps = stampFiles([...files, ...givenPaths(this.options)]);
    this.contentHash = files.length > 0 ? await hashExecutable(files) : "missing";
    return stamps;
  }

  /** Facts about the server that policies see. */
  get server(): ServerInfo {
    return {
      command: this.options.command,
      executable: this.classification.executable,
      script: this.classification.script,
      args: this.options.args,
      envNames: Object.keys(this.options.env).sort(),
      name: this.named?.name ?? null,
      trustLevel: this.classification.level,
    };
  }

  /** Every decision about starting the server, combined last. */
  async checkServerStart(): Promise<{ decision: Decision; decisions: Decision[] }> {
    await this.refreshConfig();
    // A config server approved in the trust store since (`policy trust -s`)
    // is level 2 from now on, as after an "always" answer.
    if (this.named?.needsApproval) {
      this.classification = classify(this.options, this.denyList, this.configApproved());
    }
    const approved = this.trust.isServerApproved(this.serverApproval());
    const decisions: Decision[] = [
      ...checkCommand(this.options.command, this.options.args, this.classification.executable),
      ...checkEnv(Object.keys(this.options.env), "after --"),
      ...checkEnvFiles(this.options.command, this.options.args, {
        cwd: this.options.projectDir,
        executable: this.classification.executable,
      }),
      decideTrust(this.classification, approved),
      ...this.configServerDecisions(),
    ];
    if (this.plugins) {
      decisions.push(
        ...(await this.plugins.checkServerStart({
          server: this.server,
          projectDir: this.options.projectDir,
        })),
      );
    }
    let decision = combineDecisions(decisions, "trust.allow");
    // A command that cannot be found cannot run: let the start fail with
    // "command not found" (exit 4) instead of asking to approve nothing.
    if (
      decision.action === "ask" &&
      this.classification.executable === null &&
      decisions.every((d) => d.action !== "ask" || d.rule.startsWith("trust."))
    ) {
      decision = {
        action: "allow",
        reason: "the command was not found; starting it will fail",
        rule: "trust.not-found",
      };
    }
    // A remembered approval answers an ask raised by the trust level, not a
    // deny or a plugin's ask (nor a project config server's unapproved entry).
    if (
      decision.action === "ask" &&
      approved &&
      this.configServerDecisions().length === 0 &&
      decisions.every((d) => d.action !== "ask" || d.rule.startsWith("trust."))
    ) {
      decision = {
        action: "allow",
        reason: "approved earlier in the trust store",
        rule: "trust.approved",
      };
    }
    return { decision, decisions };
  }

  /** The server's environment for its trust level (blocked and internal variables removed). */
  serverEnv(): Record<string, string> {
    return serverEnvironment(
      this.classification.level,
      this.options.callerEnv,
      this.options.env,
      this.named?.envPassthrough ?? [],
    );
  }

  /**
   * For a project config server whose entry (or the project rules around it)
   * the user has not approved: an ask, answered "always" by
   * {@link rememberServer}. Empty otherwise.
   */
  private configServerDecisions(): Decision[] {
    const named = this.named;
    if (named === null || !named.needsApproval || this.configApproved()) return [];
    return [
      {
        action: "ask",
        reason: `server "${named.name}" is declared in ${named.file} (${named.jsonPath}) and you have not approved this entry yet (an "always" answer remembers it until the entry changes)`,
        rule: "trust.config-server",
      },
    ];
  }

  private configApproved(): boolean {
    return configApproved(this.named, this.options, this.trust);
  }

  /** Decides one tool call. */
  async checkToolCall(
    tool: {
      name: string;
      annotations?: Record<string, unknown> | undefined;
      inputSchema?: unknown;
    },
    args: Record<string, unknown>,
  ): Promise<ToolDecision> {
    await this.refreshConfig();
    const context = {
      server: this.server,
      projectDir: this.options.projectDir,
      tool: { name: tool.name, annotations: tool.annotations },
      arguments: args,
    };
    const decisions: Decision[] = [
      // Level 4 (the config changed since the start was decided) denies every call.
      ...(this.classification.level === 4 ? [decideTrust(this.classification)] : []),
      // The project config changed this server's entry or rules since it was approved.
      ...this.configServerDecisions(),
      ...checkToolCall(context, { ...this.rules.tools, approval: this.rules.approval }),
      ...checkPathArguments(args, tool.inputSchema, this.rules.roots, {
        base: this.options.projectDir,
      }),
    ];
    if (this.plugins) decisions.push(...(await this.plugins.checkToolCall(context)));
    const decision = combineDecisions(decisions, "tool.allow");
    if (
      decision.action === "ask" &&
      this.rules.approval !== "always" &&
      this.trust.isToolApproved({ ...this.serverApproval(), tool: tool.name })
    ) {
      const onlyAsks = decisions.filter((d) => d.action === "ask");
      if (onlyAsks.every((d) => d.rule.startsWith("approval.") || d.rule === "tool.ask")) {
        return {
          action: "allow",
          reason: "approved earlier (always)",
          rule: "trust.tool-approved",
          remembered: true,
        };
      }
    }
    return decision;
  }

  /** Remembers an "always" answer for starting this server (this content). */
  rememberServer(): void {
    const named = this.named;
    if (named?.needsApproval) {
      this.trust.approveConfigServer({
        projectDir: this.options.projectDir,
        name: named.name,
        configHash: named.configHash,
      });
      // Level 2 from now on: the approval is by config entry, not content.
      this.classification = classify(this.options, this.denyList, this.configApproved());
      return;
    }
    this.trust.approveServer({
      ...this.serverApproval(),
      label: [this.options.command, ...this.options.args].join(" "),
    });
  }

  /** Remembers an "always" answer for one tool of this server. */
  rememberTool(tool: string): void {
    // Approving a call after being told the server's config entry changed
    // approves the entry as it is now.
    if (this.configServerDecisions().length > 0) this.rememberServer();
    this.trust.approveTool({ ...this.serverApproval(), tool });
  }

  async close(): Promise<void> {
    await this.plugins?.close();
  }

  private serverApproval(): { projectDir: string; serverKey: string; contentHash: string } {
    return {
      projectDir: this.options.projectDir,
      serverKey: this.options.serverKey,
      contentHash: this.contentHash,
    };
  }
}

function classify(
  options: PolicyGateOptions,
  denyList: readonly string[],
  configApproved = false,
): TrustClassification {
  return classifyServer({
    configApproved,
    command: options.command,
    args: options.args,
    envNames: Object.keys(options.env),
    projectDir: options.projectDir,
    cwd: options.projectDir,
    pathValue: options.callerEnv.PATH,
    denyList,
  });
}

/**
 * The config server `options.serverName` names, resolved with the caller's
 * environment; null for a server given after `--`.
 *
 * @throws McpwardError `BAD_CONFIG` when it is gone or when its command, args
 *   or env are no longer what the client resolved (the config changed since):
 *   the daemon never applies one server's rules to another command.
 */
function namedServer(config: LoadedConfig, options: PolicyGateOptions): ResolvedServer | null {
  if (options.serverName === undefined) return null;
  const named = resolveNamedServer(config, options.serverName, config.profile, options.callerEnv);
  const same =
    named.command === options.command &&
    JSON.stringify(named.args) === JSON.stringify(options.args) &&
    sameEnv(named.env, options.env);
  if (!same) {
    throw new McpwardError(
      "BAD_CONFIG",
      `server "${named.name}" in ${named.file} (${named.jsonPath}) no longer has the command, args or env this daemon was started with; the config changed: run the command again`,
    );
  }
  return named;
}

function sameEnv(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(a).sort();
  const other = Object.keys(b).sort();
  return JSON.stringify(keys) === JSON.stringify(other) && keys.every((k) => a[k] === b[k]);
}

function configApproved(
  named: ResolvedServer | null,
  options: PolicyGateOptions,
  trust: TrustStore,
): boolean {
  if (named === null) return false;
  return (
    !named.needsApproval ||
    trust.isConfigServerApproved({
      projectDir: options.projectDir,
      name: named.name,
      configHash: named.configHash,
    })
  );
}

/** The policy plugins the rules name, or null for none; project plugins load once approved. */
function createPlugins(
  options: PolicyGateOptions,
  rules: EffectiveRules,
  trust: TrustStore,
): Promise<PluginHost | null> {
  if (rules.policies.length === 0) return Promise.resolve(null);
  return PluginHost.create({
    projectDir: options.projectDir,
    specifiers: rules.policies,
    isApproved: (plugin) =>
      trust.isPolicyApproved({
        projectDir: options.projectDir,
        specifier: plugin.specifier,
        contentHash: plugin.contentHash,
      }),
  });
}

/**
 * What identifies the current version of the project and user config files
 * without reading them: one stat each (inode, size, mtime, ctime).
 */
function configStamp(options: PolicyGateOptions): string {
  return [
    join(options.projectDir, PROJECT_CONFIG_FILE),
    join(configRoot(options.callerEnv), "config.json"),
  ]
    .map((path) => {
      try {
        const s = statSync(path);
        return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      } catch {
        return "none";
      }
    })
    .join("|");
}

/**
 * The executable and script as the command line names them, symlinks not
 * resolved: their stamps change when a link is pointed at another file,
 * which the real paths' stamps cannot show.
 */
function givenPaths(options: PolicyGateOptions): string[] {
  const script = scriptArgument(options.command, options.args);
  return [
    ...(options.command.includes("/") ? [resolve(options.projectDir, options.command)] : []),
    ...(script === null ? [] : [resolve(options.projectDir, script)]),
  ];
}
