import {
  computeDaemonId,
  McpwardError,
  parseServerSpec,
  type ServerSpec,
} from "@mcpward/core/light";
import {
  type Action,
  type ApprovalMode,
  checkCommand,
  checkEnv,
  classifyServer,
  combineDecisions,
  type Decision,
  decideTrust,
  hashExecutable,
  type LoadedConfig,
  loadConfig,
  PluginHost,
  type PluginStatus,
  type ServerInfo,
  serverEnvironment,
  type TrustClassification,
  type TrustLevel,
  TrustStore,
} from "@mcpward/policy";
import { serverLabel } from "../server-label.js";
import { currentProject } from "./daemon-target.js";

/** The names of the trust levels (DESIGN.md, issue 5). */
export const TRUST_LEVEL_NAMES: Record<TrustLevel, string> = {
  1: "built-in",
  2: "project",
  3: "third-party",
  4: "untrusted",
};

/** Which check a rule line comes from. */
export type RuleSource = "command" | "env" | "trust" | "plugin";

/** One rule's verdict; `allow` lines without a built-in rule name say the rule had no objection. */
export interface RuleLine extends Decision {
  source: RuleSource;
}

/** The server's environment for its level: variable names only, never values. */
export interface EnvironmentReport {
  /** How the level builds it, in words. */
  mode: string;
  /** Caller variables that would be passed. */
  inherited: string[];
  /** Variables given after `--` that would be passed. */
  explicit: string[];
  /** Variables given after `--` that a rule refuses. */
  refused: string[];
  /** Caller variables that would not be passed (empty at level 4: nothing starts). */
  withheld: string[];
}

/** Everything `mcpward policy check` reports about one server. */
export interface PolicyReport {
  server: string;
  projectDir: string;
  /** The daemon id: the server's identity in the trust store. */
  daemonId: string;
  trust: {
    level: TrustLevel;
    name: string;
    /** Each rule's finding, deciding ones first. */
    reasons: string[];
    executable: string | null;
    script: string | null;
    /** `sha256:…` of the executable and script, or null when they cannot be read. */
    contentHash: string | null;
    /** Why there is no content hash, if there is none. */
    contentProblem: string | null;
    /** True when the trust store holds an approval for this server and content. */
    approved: boolean;
  };
  rules: RuleLine[];
  environment: EnvironmentReport;
  tools: {
    allow: string[];
    deny: string[];
    ask: string[];
    approval: ApprovalMode;
    roots: string[];
  };
  plugins: Array<PluginStatus & { origin: string }>;
  config: {
    project: string | null;
    user: string | null;
    profile: string | null;
    warnings: string[];
  };
  outcome: Decision;
}

/** Everything needed to approve or revoke a server, without the report's extras. */
export interface EvaluatedServer {
  spec: ServerSpec;
  label: string;
  projectDir: string;
  daemonId: string;
  classification: TrustClassification;
  contentHash: string | null;
  contentProblem: string | null;
}

/**
 * Parses the server after `--` and classifies it (nothing is started).
 *
 * @param command - e.g. "policy check", for the usage error
 * @throws McpwardError `USAGE` without a server, `BAD_SERVER_SPEC`,
 *   `BAD_ENV_TOKEN`, `BAD_CONFIG` for an invalid config file
 */
export async function evaluateServer(
  serverTokens: readonly string[] | undefined,
  command: string,
): Promise<{ server: EvaluatedServer; config: LoadedConfig }> {
  if (serverTokens === undefined) {
    throw new McpwardError(
      "USAGE",
      `${command} needs a server: mcpward ${command} -- <server command>`,
    );
  }
  const spec = parseServerSpec(serverTokens);
  const projectDir = currentProject();
  const config = loadConfig({ projectDir, env: process.env });
  const classification = classifyServer({
    command: spec.command,
    args: spec.args,
    envNames: Object.keys(spec.env),
    projectDir,
    cwd: projectDir,
    pathValue: process.env.PATH,
    denyList: config.merged.denyList,
  });
  // The daemon hashes the same files: an approval covers exactly what runs.
  const files = [classification.executable, classification.script].filter(
    (path): path is string => path !== null,
  );
  let contentHash: string | null = null;
  let contentProblem: string | null = null;
  if (files.length === 0) {
    contentProblem = `${spec.command} was not found; check the name or use a full path`;
  } else {
    try {
      contentHash = await hashExecutable(files);
    } catch (error) {
      contentProblem = error instanceof Error ? error.message : String(error);
    }
  }
  return {
    server: {
      spec,
      label: serverLabel(spec),
      projectDir,
      daemonId: computeDaemonId(spec, projectDir),
      classification,
      contentHash,
      contentProblem,
    },
    config,
  };
}

/** The built-in start rules, one line each, with "no objection" lines for rules that passed. */
export function builtInRules(server: EvaluatedServer, approved: boolean): RuleLine[] {
  const { spec, classification } = server;
  const lines: RuleLine[] = [];
  const command = checkCommand(spec.command, spec.args, classification.executable);
  if (command.length === 0) {
    lines.push({
      source: "command",
      action: "allow",
      rule: "command",
      reason: "no shell metacharacters in the command, no inline code",
    });
  }
  for (const decision of command) lines.push({ source: "command", ...decision });
  const names = Object.keys(spec.env);
  if (names.length === 0) {
    lines.push({
      source: "env",
      action: "allow",
      rule: "env",
      reason: "no variables given after --",
    });
  }
  for (const name of names) {
    const decisions = checkEnv([name], "after --");
    if (decisions.length === 0) {
      lines.push({
        source: "env",
        action: "allow",
        rule: "env",
        reason: `${name} may be set (after --)`,
      });
    }
    for (const decision of decisions) lines.push({ source: "env", ...decision });
  }
  lines.push({ source: "trust", ...decideTrust(classification, approved) });
  return lines;
}

/** The explicit variables no rule refuses. */
function allowedExplicit(spec: ServerSpec): { allowed: Record<string, string>; refused: string[] } {
  const allowed: Record<string, string> = Object.create(null);
  const refused: string[] = [];
  for (const name of Object.keys(spec.env)) {
    if (checkEnv([name]).length > 0) refused.push(name);
    else allowed[name] = spec.env[name]!;
  }
  return { allowed, refused: refused.sort() };
}

function environmentOf(level: TrustLevel, spec: ServerSpec): EnvironmentReport {
  const callerNames = Object.keys(process.env)
    .filter((name) => typeof process.env[name] === "string")
    .sort();
  const { allowed, refused } = allowedExplicit(spec);
  const explicit = Object.keys(allowed).sort();
  if (level === 4) {
    return {
      mode: "none: an untrusted (level 4) server never starts",
      inherited: [],
      explicit: [],
      refused,
      withheld: [],
    };
  }
  const env = serverEnvironment(level, process.env, allowed, []);
  const inherited = Object.keys(env)
    .filter((name) => !Object.hasOwn(allowed, name))
    .sort();
  return {
    mode:
      level <= 2
        ? "your environment, minus blocked and mcpward's own variables"
        : "minimal: HOME, USER, LOGNAME, PATH, SHELL, TERM, LANG, LC_*, TMPDIR, TZ",
    inherited,
    explicit,
    refused,
    withheld: callerNames.filter((name) => !Object.hasOwn(env, name)),
  };
}

/** Runs the configured plugins' start checks; reports their state. Closes them after. */
async function pluginDecisions(
  server: EvaluatedServer,
  config: LoadedConfig,
  store: TrustStore,
): Promise<{ statuses: PolicyReport["plugins"]; decisions: Decision[] }> {
  const policies = config.merged.rules.policies;
  if (policies.length === 0) return { statuses: [], decisions: [] };
  const host = await PluginHost.create({
    projectDir: server.projectDir,
    specifiers: policies,
    isApproved: (plugin) =>
      store.isPolicyApproved({
        projectDir: server.projectDir,
        specifier: plugin.specifier,
        contentHash: plugin.contentHash,
      }),
  });
  try {
    const { spec, classification } = server;
    const info: ServerInfo = {
      command: spec.command,
      executable: classification.executable,
      script: classification.script,
      args: spec.args,
      envNames: Object.keys(spec.env).sort(),
      name: null,
      trustLevel: classification.level,
    };
    const decisions = await host.checkServerStart({ server: info, projectDir: server.projectDir });
    const statuses = host.plugins.map((status, i) => ({
      ...status,
      origin: policies[i]?.origin ?? "project",
    }));
    return { statuses, decisions };
  } finally {
    await host.close();
  }
}

/** True when the trust store approves this server with this content. */
export function isApproved(store: TrustStore, server: EvaluatedServer): boolean {
  return (
    server.contentHash !== null &&
    store.isServerApproved({
      projectDir: server.projectDir,
      serverKey: server.daemonId,
      contentHash: server.contentHash,
    })
  );
}

/**
 * Explains what mcpward would decide about starting a server, as the daemon
 * decides it (trust level, command and env rules, remembered approval,
 * plugins), plus the environment and tool rules it would run under. Nothing
 * is started; configured policy plugins are loaded in their workers to ask
 * them, then closed.
 *
 * @throws McpwardError as {@link evaluateServer}; `UNSAFE_PATH` or
 *   `BAD_CONFIG` for a tampered or corrupt trust store
 */
export async function checkPolicy(
  serverTokens: readonly string[] | undefined,
): Promise<PolicyReport> {
  const { server, config } = await evaluateServer(serverTokens, "policy check");
  const store = TrustStore.open(process.env);
  const approved = isApproved(store, server);
  const rules = builtInRules(server, approved);
  const plugins = await pluginDecisions(server, config, store);
  for (const decision of plugins.decisions) rules.push({ source: "plugin", ...decision });
  const deciding = rules.filter((line) => line.rule !== "command" && line.rule !== "env");
  const outcome = combineDecisions(deciding, "trust.allow");
  const { classification } = server;
  const merged = config.merged.rules;
  return {
    server: server.label,
    projectDir: server.projectDir,
    daemonId: server.daemonId,
    trust: {
      level: classification.level,
      name: TRUST_LEVEL_NAMES[classification.level],
      reasons: classification.reasons,
      executable: classification.executable,
      script: classification.script,
      contentHash: server.contentHash,
      contentProblem: server.contentProblem,
      approved,
    },
    rules,
    environment: environmentOf(classification.level, server.spec),
    tools: { ...merged.tools, approval: merged.approval, roots: merged.roots },
    plugins: plugins.statuses,
    config: {
      project: config.files.project,
      user: config.files.user,
      profile: config.profile,
      warnings: config.warnings,
    },
    outcome,
  };
}

/** Exit code of `policy check`: 0 for allow and ask (it will ask), 3 for deny. */
export function policyExitCode(action: Action): number {
  return action === "deny" ? 3 : 0;
}
