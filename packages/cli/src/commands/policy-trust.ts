import { McpwardError } from "@mcpward/core/light";
import { TrustStore } from "@mcpward/policy";
import type { CommandContext } from "./command-context.js";
import { currentProject, targetOf } from "./daemon-target.js";
import { printOutcome, shortHash } from "./policy-output.js";
import { builtInRules, evaluateServer, isApproved, TRUST_LEVEL_NAMES } from "./policy-server.js";
import { revokeNamedServer, trustNamedServer } from "./policy-trust-named.js";

/**
 * `mcpward policy trust [--json] -- <server>` (or `-s <name>`, see
 * policy-trust-named.ts): approves a third-party
 * (level 3) server for this project in the user's trust store, as answering
 * "always" to the first-start prompt would: tied to the project, the
 * server's identity (daemon id) and the content hash of its executable and
 * script. Env values are never stored. Levels 1–2 need no approval and
 * nothing is stored.
 *
 * @returns 0
 * @throws McpwardError `POLICY_DENIED` (exit 3) for a server a built-in
 *   rule denies (level 4, a blocked variable, shell metacharacters);
 *   `SERVER_START_FAILED` (exit 4) when its files cannot be found or read;
 *   `USAGE` without `-- <server>`
 */
export async function policyTrust(context: CommandContext): Promise<number> {
  if (context.serverName !== undefined) {
    return trustNamedServer(context, oneServer(context, "trust", context.serverName));
  }
  const { server } = await evaluateServer(context.serverTokens, "policy trust");
  const { classification: trust, label } = server;
  const denied = builtInRules(server, false).find((line) => line.action === "deny");
  if (denied !== undefined) {
    throw new McpwardError(
      "POLICY_DENIED",
      `refusing to trust ${label}: ${denied.reason} (rule ${denied.rule})`,
      { data: { rule: denied.rule } },
    );
  }
  if (server.contentHash === null) {
    throw new McpwardError(
      "SERVER_START_FAILED",
      `cannot trust ${label}: ${server.contentProblem ?? "its files cannot be read"}`,
    );
  }
  const name = TRUST_LEVEL_NAMES[trust.level];
  const facts = {
    server: label,
    projectDir: server.projectDir,
    daemonId: server.daemonId,
    level: trust.level,
    name,
    executable: trust.executable,
    script: trust.script,
    contentHash: server.contentHash,
  };
  if (trust.level !== 3) {
    await printOutcome(
      context,
      { trusted: false, ...facts },
      `nothing to trust: ${label} is a ${name} server (level ${trust.level}) and starts without approval\n`,
    );
    return 0;
  }
  const store = TrustStore.open(process.env);
  const already = isApproved(store, server);
  if (!already) {
    store.approveServer({
      projectDir: server.projectDir,
      serverKey: server.daemonId,
      contentHash: server.contentHash,
      label,
    });
  }
  // A stored approval answers the trust level's question only; inline code still asks.
  const stillAsks = builtInRules(server, true).filter((line) => line.action === "ask");
  const lines = [
    `${already ? "already trusted" : "trusted"}: ${label} in ${server.projectDir}`,
    `  level ${trust.level} (${name}), executable ${trust.executable}${trust.script === null ? "" : `, script ${trust.script}`}`,
    `  content ${shortHash(server.contentHash)} (a changed executable or script asks again)`,
    `  stored in ${store.path}`,
    ...stillAsks.map(
      (line) => `  note: it still asks before starting: ${line.reason} (rule ${line.rule})`,
    ),
  ];
  await printOutcome(
    context,
    {
      trusted: true,
      alreadyTrusted: already,
      ...facts,
      trustStore: store.path,
      stillAsks: stillAsks.map(({ rule, reason }) => ({ rule, reason })),
    },
    `${lines.join("\n")}\n`,
  );
  return 0;
}

/**
 * `mcpward policy revoke [--json] -- <server>`: removes this project's
 * approval of the server from the user's trust store (whatever content it
 * was given for), with the remembered "always" answers for its tools.
 *
 * @returns 0, also when there was nothing to revoke
 * @throws McpwardError `USAGE` without `-- <server>`; `BAD_SERVER_SPEC`, `BAD_ENV_TOKEN`
 */
export async function policyRevoke(context: CommandContext): Promise<number> {
  if (context.serverName !== undefined) {
    return revokeNamedServer(context, oneServer(context, "revoke", context.serverName));
  }
  if (context.serverTokens === undefined) {
    throw new McpwardError(
      "USAGE",
      "policy revoke needs a server: mcpward policy revoke -- <server command>",
    );
  }
  const target = targetOf(context.serverTokens)!;
  const projectDir = currentProject();
  const store = TrustStore.open(process.env);
  const removed = store.revokeServer({ projectDir, serverKey: target.daemonId });
  const text =
    removed === 0
      ? `nothing to revoke: no approval of ${target.label} in ${projectDir}\n`
      : `revoked ${removed} approval(s) of ${target.label} in ${projectDir} (the next start asks again)\n`;
  await printOutcome(
    context,
    { revoked: removed, server: target.label, projectDir, daemonId: target.daemonId },
    text,
  );
  return 0;
}

/** The config server's name, when no server is also given after `--`. */
function oneServer(context: CommandContext, command: string, name: string): string {
  if (context.serverTokens !== undefined) {
    throw new McpwardError(
      "USAGE",
      `-s ${name} names the server; do not also give one after --. Use either mcpward policy ${command} -s ${name} or mcpward policy ${command} -- <server command>`,
    );
  }
  return name;
}
