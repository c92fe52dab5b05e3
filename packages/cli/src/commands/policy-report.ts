import {
  type Action,
  type ApprovalMode,
  combineDecisions,
  type TrustLevel,
  TrustStore,
} from "@mcpward/policy";
import { type EnvironmentReport, environmentReport } from "./policy-environment.js";
import { type PluginReport, pluginDecisions } from "./policy-plugins.js";
import {
  builtInRules,
  evaluateServer,
  isApproved,
  type RuleLine,
  ruleLine,
  TRUST_LEVEL_NAMES,
} from "./policy-server.js";

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
  plugins: PluginReport[];
  config: {
    project: string | null;
    user: string | null;
    profile: string | null;
    warnings: string[];
  };
  outcome: RuleLine;
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
  for (const decision of plugins.decisions) rules.push(ruleLine("plugin", decision));
  const deciding = rules.filter((line) => line.rule !== "command" && line.rule !== "env");
  const combined = combineDecisions(deciding, "trust.allow");
  // The deciding line itself, so the outcome says which check it came from.
  const outcome = deciding.find((line) => line === combined) ?? ruleLine("trust", combined);
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
    environment: environmentReport(classification.level, server.spec),
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
