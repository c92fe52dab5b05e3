import { existsSync } from "node:fs";
import { join } from "node:path";
import { type AuditVerifyResult, verifyAudit } from "@mcpward/daemon";
import { writeStdout } from "../stdio.js";
import {
  type AuditLog,
  auditLogsInScope,
  noAuditLog,
  noAuditLogs,
  projectAuditLog,
  refuseServer,
} from "./audit-scope.js";
import type { CommandContext } from "./command-context.js";

/**
 * Exit code of `audit verify` when the chain is broken: 1, "the check
 * reported a problem" (like a tool reporting an error), distinct from
 * usage errors (2) and mcpward failing to read the log (6).
 */
export const AUDIT_BROKEN_EXIT = 1;

/** One log's result as `audit verify --json` prints it. */
export interface VerifiedLog extends AuditVerifyResult {
  dir: string;
  projectId: string;
  /** False when the project has no audit log yet. */
  exists: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `<path>:<line>: <problem> (<detail>)` per break, then a summary line. */
export function renderVerifyResult(log: VerifiedLog): string {
  const lines = log.breaks.map(
    (b) => `${join(log.dir, b.file)}:${b.line}: ${b.problem} (${b.detail})`,
  );
  if (log.omittedBreaks > 0) lines.push(`… and ${log.omittedBreaks} more problems not listed`);
  const size = `${plural(log.records, "record")} in ${plural(log.files.length, "file")}`;
  if (log.ok) {
    const last = log.lastSeq === null ? "" : `, last seq ${log.lastSeq}`;
    lines.push(`audit log intact: ${size}${last} (${log.dir})`);
  } else {
    const count = log.breaks.length + log.omittedBreaks;
    const onlyTorn = log.omittedBreaks === 0 && log.breaks.every((b) => b.problem === "torn line");
    const why = onlyTorn ? ": a writer was killed mid-write; no complete record was altered" : "";
    lines.push(`audit log BROKEN: ${plural(count, "problem")}, ${size}${why} (${log.dir})`);
  }
  return `${lines.join("\n")}\n`;
}

async function verifyLog(log: AuditLog): Promise<VerifiedLog> {
  const exists = existsSync(log.dir);
  const result = await verifyAudit(log.dir);
  return { dir: log.dir, projectId: log.projectId, exists, ...result };
}

/** True when the directory holds nothing to check (no files, no head). */
function isEmpty(log: VerifiedLog): boolean {
  return !log.exists || (log.files.length === 0 && log.ok);
}

/**
 * `mcpward audit verify [--all] [--json]`: checks the hash chain of the
 * project's audit log (or every project's) and prints one line per break
 * (`file:line: problem (detail)`) and a summary.
 *
 * @returns 0 when intact (or no log yet), {@link AUDIT_BROKEN_EXIT} when broken
 * @throws McpwardError when the log cannot be read (e.g. `UNSAFE_PATH`)
 */
export async function auditVerify(context: CommandContext): Promise<number> {
  refuseServer(context.serverTokens, "audit verify");
  const logs = auditLogsInScope(context.all);
  const results: VerifiedLog[] = [];
  for (const log of logs) results.push(await verifyLog(log));
  const broken = results.some((r) => !r.ok);
  const code = broken ? AUDIT_BROKEN_EXIT : 0;
  if (context.json) {
    const body = context.all ? results : results[0]!;
    await writeStdout(`${JSON.stringify(body)}\n`);
    return code;
  }
  const shown = results.filter((r) => !isEmpty(r));
  if (shown.length === 0) {
    await writeStdout(`${context.all ? noAuditLogs() : noAuditLog(projectAuditLog().dir)}\n`);
    return 0;
  }
  await writeStdout(shown.map(renderVerifyResult).join(""));
  return code;
}
