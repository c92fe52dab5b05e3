import {
  type Action,
  checkCommand,
  checkEnv,
  checkPathArguments,
  checkToolCall,
  classifyServer,
  combineDecisions,
  commandLineRules,
  type Decision,
  decideTrust,
  type EffectiveRules,
  hashExecutable,
  loadConfig,
  PluginHost,
  type ServerInfo,
  serverEnvironment,
  type TrustClassification,
  TrustStore,
} from "@mcpward/policy";

type Env = Readonly<Record<string, string | undefined>>;

/** What the gate needs to know about the server it guards. */
export interface PolicyGateOptions {
  command: string;
  args: string[];
  /** Explicit env given after `--` (values never leave this object). */
  env: Record<string, string>;
  projectDir: string;
  /** Stable identity of the server for the trust store (the daemon id). */
  serverKey: string;
  /** The caller's environment: PATH, config directory, `${VAR}` values. */
  callerEnv: Env;
  profile?: string | undefined;
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
    readonly classification: TrustClassification,
    readonly rules: EffectiveRules,
    private readonly contentHash: string,
    private readonly trust: TrustStore,
    private readonly plugins: PluginHost | null,
    /** Warnings from loading config, for the log. */
    readonly warnings: string[],
  ) {}

  /**
   * Loads config and the trust store and classifies the server.
   *
   * @throws McpwardError `BAD_CONFIG` for an invalid config file,
   *   `UNSAFE_PATH` for a tampered trust store.
   */
  static async open(options: PolicyGateOptions): Promise<PolicyGate> {
    const config = loadConfig({
      projectDir: options.projectDir,
      env: options.callerEnv,
      profile: options.profile,
    });
    const rules = commandLineRules(config);
    const classification = classifyServer({
      command: options.command,
      args: options.args,
      envNames: Object.keys(options.env),
      projectDir: options.projectDir,
      cwd: options.projectDir,
      pathValue: options.callerEnv.PATH,
      denyList: config.merged.denyList,
    });
    const files = [classification.executable, classification.script].filter(
      (p): p is string => p !== null,
    );
    const contentHash = files.length > 0 ? await hashExecutable(files) : "missing";
    const trust = TrustStore.open(options.callerEnv);
    const plugins =
      rules.policies.length > 0
        ? await PluginHost.create({
            projectDir: options.projectDir,
            specifiers: rules.policies,
            isApproved: (plugin) =>
              trust.isPolicyApproved({
                projectDir: options.projectDir,
                specifier: plugin.specifier,
                contentHash: plugin.contentHash,
              }),
          })
        : null;
    return new PolicyGate(
      options,
      classification,
      rules,
      contentHash,
      trust,
      plugins,
      config.warnings,
    );
  }

  /** Facts about the server that policies see. */
  get server(): ServerInfo {
    return {
      command: this.options.command,
      executable: this.classification.executable,
      script: this.classification.script,
      args: this.options.args,
      envNames: Object.keys(this.options.env).sort(),
      name: null,
      trustLevel: this.classification.level,
    };
  }

  /** Every decision about starting the server, combined last. */
  async checkServerStart(): Promise<{ decision: Decision; decisions: Decision[] }> {
    const approved = this.trust.isServerApproved(this.serverApproval());
    const decisions: Decision[] = [
      ...checkCommand(this.options.command, this.options.args, this.classification.executable),
      ...checkEnv(Object.keys(this.options.env), "after --"),
      decideTrust(this.classification, approved),
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
    // A remembered approval answers an ask raised by the trust level, not a
    // deny or a plugin's ask.
    if (
      decision.action === "ask" &&
      approved &&
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
      [],
    );
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
    const context = {
      server: this.server,
      projectDir: this.options.projectDir,
      tool: { name: tool.name, annotations: tool.annotations },
      arguments: args,
    };
    const decisions: Decision[] = [
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
    this.trust.approveServer({
      ...this.serverApproval(),
      label: [this.options.command, ...this.options.args].join(" "),
    });
  }

  /** Remembers an "always" answer for one tool of this server. */
  rememberTool(tool: string): void {
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

/** The stricter of two actions. */
export function stricter(a: Action, b: Action): Action {
  const rank = { allow: 0, ask: 1, deny: 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}
