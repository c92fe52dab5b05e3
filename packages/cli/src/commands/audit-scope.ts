import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { computeProjectId, McpwardError } from "@mcpward/core/light";
import { auditDirectory } from "@mcpward/daemon";
import { currentProject } from "./daemon-target.js";

/** One project's audit log directory. */
export interface AuditLog {
  /** The log directory, `<state dir>/audit/<projectId>`. */
  dir: string;
  projectId: string;
}

const PROJECT_ID = /^[0-9a-f]{16}$/;

/** The audit log of the current project (the directory may not exist yet). */
export function projectAuditLog(): AuditLog {
  const projectId = computeProjectId(currentProject());
  return { dir: auditDirectory(projectId, process.env), projectId };
}

/**
 * The audit logs an `audit` command reads: this project's, or with `all`
 * every project's log under the state directory (sorted by project id).
 */
export function auditLogsInScope(all: boolean): AuditLog[] {
  const own = projectAuditLog();
  if (!all) return [own];
  // Every project's log sits beside this one's: <state dir>/audit/<projectId>.
  const root = dirname(own.dir);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((name) => PROJECT_ID.test(name))
    .sort()
    .map((projectId) => ({ dir: join(root, projectId), projectId }));
}

/** The line printed when a project has no audit log. */
export function noAuditLog(dir: string): string {
  return `no audit log for this project yet (${dir})`;
}

/** The line printed by `--all` when no project has one. */
export function noAuditLogs(): string {
  return `no audit logs yet (${dirname(projectAuditLog().dir)})`;
}

/**
 * Audit commands act on a project's log, not on one server.
 *
 * @param command - e.g. "audit verify"
 * @throws McpwardError `USAGE` when a server was given after `--`
 */
export function refuseServer(serverTokens: readonly string[] | undefined, command: string): void {
  if (serverTokens !== undefined) {
    throw new McpwardError(
      "USAGE",
      `mcpward ${command} takes no server after --; it reads the audit log of the current project (run it in the project directory)`,
    );
  }
}
