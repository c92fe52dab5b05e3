import { existsSync } from "node:fs";
import { stripTerminalEscapes } from "@mcpward/core/light";
import { type AuditRecord, formatAuditTable, parseSince, readAudit } from "@mcpward/daemon";
import { writeStderr, writeStdout } from "../stdio.js";
import {
  type AuditLog,
  auditLogsInScope,
  noAuditLog,
  noAuditLogs,
  projectAuditLog,
  refuseServer,
} from "./audit-scope.js";
import type { CommandContext } from "./command-context.js";

/** Filters of `mcpward audit`, as given on the command line. */
export interface AuditListOptions {
  since: string | undefined;
  tool: string | undefined;
  outcome: string | undefined;
  event: string | undefined;
}

interface ProjectRecords {
  log: AuditLog;
  records: AuditRecord[];
  skipped: number;
}

/** The filters as words, for the "nothing matches" line. */
function describeFilters(options: AuditListOptions): string {
  const parts: string[] = [];
  if (options.since !== undefined) parts.push(`--since ${options.since}`);
  if (options.tool !== undefined) parts.push(`--tool ${options.tool}`);
  if (options.outcome !== undefined) parts.push(`--outcome ${options.outcome}`);
  if (options.event !== undefined) parts.push(`--event ${options.event}`);
  return parts.join(" ");
}

/** `<project dir> (<project id>)`; the directory comes from a record, so it is cleaned like table cells. */
function projectHeading(found: ProjectRecords): string {
  const dir = found.records[0]?.projectDir;
  if (dir === undefined) return found.log.projectId;
  return `${stripTerminalEscapes(dir).replace(/\s+/g, " ")} (${found.log.projectId})`;
}

/**
 * `mcpward audit [--since 1h] [--tool X] [--outcome denied] [--event E]
 * [--all] [--json]`: the project's audit log as a table, oldest first, or
 * as JSON lines (one record per line, as stored). `--all` reads every
 * project's log, a table per project.
 *
 * @returns the exit code: 0, also when there is no log yet
 * @throws McpwardError `USAGE` for a bad `--since` or a server after `--`
 */
export async function auditList(
  context: CommandContext,
  options: AuditListOptions,
): Promise<number> {
  refuseServer(context.serverTokens, "audit");
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const logs = auditLogsInScope(context.all).filter((log) => existsSync(log.dir));
  const found: ProjectRecords[] = [];
  for (const log of logs) {
    const result = await readAudit(log.dir, {
      since,
      tool: options.tool,
      outcome: options.outcome,
      event: options.event,
    });
    if (result.files.length === 0) continue;
    found.push({ log, records: result.records, skipped: result.skipped });
  }
  const skipped = found.reduce((sum, f) => sum + f.skipped, 0);
  if (skipped > 0 && !context.quiet) {
    writeStderr(
      `mcpward: warning: ${skipped} damaged or torn line(s) in the audit log skipped; run mcpward audit verify\n`,
    );
  }
  if (context.json) {
    const text = found
      .flatMap((f) => f.records)
      .map((record) => `${JSON.stringify(record)}\n`)
      .join("");
    await writeStdout(text);
    return 0;
  }
  if (found.length === 0) {
    await writeStdout(`${context.all ? noAuditLogs() : noAuditLog(projectAuditLog().dir)}\n`);
    return 0;
  }
  const filters = describeFilters(options);
  const parts: string[] = [];
  for (const f of found) {
    if (context.all) {
      if (f.records.length === 0) continue;
      parts.push(`${projectHeading(f)}\n${formatAuditTable(f.records)}`);
    } else if (f.records.length === 0) {
      parts.push(`no audit records${filters === "" ? "" : ` match ${filters}`} (${f.log.dir})\n`);
    } else {
      parts.push(formatAuditTable(f.records));
    }
  }
  if (parts.length === 0) {
    parts.push(`no audit records in any project${filters === "" ? "" : ` match ${filters}`}\n`);
  }
  await writeStdout(parts.join("\n"));
  return 0;
}
