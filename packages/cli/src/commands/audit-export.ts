import { closeSync, constants, existsSync, openSync, unlinkSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { McpwardError } from "@mcpward/core/light";
import { type AuditEvidence, exportAudit, parseSince } from "@mcpward/daemon";
import { stdoutIsTTY, writeStderr, writeStdout } from "../stdio.js";
import { noAuditLog, projectAuditLog, refuseServer } from "./audit-scope.js";
import type { CommandContext } from "./command-context.js";

/** Options of `mcpward audit export`. */
export interface AuditExportOptions {
  since: string | undefined;
  /** A file to create (never overwritten); stdout when undefined. */
  output: string | undefined;
}

// A new file only: never an existing one, never through a symlink.
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Creates `path` as a new 0600 file.
 *
 * @throws McpwardError `USAGE` when it exists or cannot be created
 */
function createNewFile(path: string): number {
  try {
    return openSync(path, CREATE_FLAGS, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    const message =
      code === "EEXIST"
        ? `${path} already exists; audit export never overwrites a file: choose another name or remove it first`
        : `cannot create ${path} (${code}); check that its directory exists and is writable`;
    throw new McpwardError("USAGE", message, { cause: error, data: { path } });
  }
}

/**
 * Writes all of `text` to `fd`.
 *
 * @throws McpwardError `INTERNAL` when writing fails (e.g. the disk is full)
 */
function writeAll(fd: number, path: string, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new McpwardError("INTERNAL", `cannot write ${path} (${code}); nothing was exported`, {
      cause: error,
    });
  }
}

function warnIfBroken(context: CommandContext, evidence: AuditEvidence): void {
  if (evidence.verify.ok || context.quiet) return;
  const count = evidence.verify.breaks.length + evidence.verify.omittedBreaks;
  writeStderr(
    `mcpward: warning: the audit log's chain is broken (${count} problem(s), listed in the document's "verify"); see mcpward audit verify\n`,
  );
}

/**
 * `mcpward audit export [--since 1d] [--output <file>]`: one JSON evidence
 * document of the project's audit log (the chain check, then the tool
 * calls with their redacted arguments, duration and outcome, then the other
 * events) on stdout, or in a new file created 0600 that is never
 * overwritten. A broken chain is recorded in the document and warned about
 * on stderr; the export still succeeds.
 *
 * @returns the exit code: 0, also when there is no log yet (nothing written)
 * @throws McpwardError `USAGE` for a bad `--since`, an existing `--output`
 *   file or a server after `--`
 */
export async function auditExport(
  context: CommandContext,
  options: AuditExportOptions,
): Promise<number> {
  refuseServer(context.serverTokens, "audit export");
  const since = options.since === undefined ? undefined : parseSince(options.since);
  const output = options.output === undefined ? undefined : resolve(options.output);
  const { dir } = projectAuditLog();
  if (!existsSync(dir)) {
    // stdout stays empty: it is meant for the JSON document.
    writeStderr(`mcpward: ${noAuditLog(dir)}; nothing exported\n`);
    return 0;
  }
  if (output === undefined) {
    const evidence = await exportAudit(dir, { since });
    warnIfBroken(context, evidence);
    await writeStdout(`${JSON.stringify(evidence, null, stdoutIsTTY() ? 2 : undefined)}\n`);
    return 0;
  }
  // Created before the export runs, so an existing file fails at once.
  const fd = createNewFile(output);
  let evidence: AuditEvidence;
  try {
    evidence = await exportAudit(dir, { since });
    writeAll(fd, output, `${JSON.stringify(evidence, null, 2)}\n`);
  } catch (error) {
    closeSync(fd);
    unlinkSync(output);
    throw error;
  }
  closeSync(fd);
  warnIfBroken(context, evidence);
  const { records, calls } = evidence.summary;
  await writeStdout(
    `wrote ${output}: ${records} record(s), ${calls} tool call(s), chain ${evidence.verify.ok ? "intact" : "BROKEN"}\n`,
  );
  return 0;
}
