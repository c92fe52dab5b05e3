import {
  computeDaemonId,
  McpwardError,
  parseServerSpec,
  type ServerSpec,
} from "@mcpward/core/light";
import {
  checkCommand,
  checkEnv,
  checkEnvFiles,
  classifyServer,
  codeFiles,
  type Decision,
  decideTrust,
  hashExecutable,
  type LoadedConfig,
  loadConfig,
  type TrustClassification,
  type TrustLevel,
  type TrustStore,
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
  const files = codeFiles(classification);
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

/** A decision as a rule line of `source`. */
export function ruleLine(source: RuleSource, decision: Decision): RuleLine {
  return { source, action: decision.action, rule: decision.rule, reason: decision.reason };
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
  for (const decision of command) lines.push(ruleLine("command", decision));
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
    for (const decision of decisions) lines.push(ruleLine("env", decision));
  }
  // The same env-file check as the daemon's (PolicyGate.checkServerStart).
  const envFiles = checkEnvFiles(spec.command, spec.args, {
    cwd: server.projectDir,
    executable: classification.executable,
  });
  for (const decision of envFiles) lines.push(ruleLine("env", decision));
  lines.push(ruleLine("trust", decideTrust(classification, approved)));
  return lines;
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
