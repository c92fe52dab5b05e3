import { formatDuration, formatMemory, formatTable, shortId } from "./format.js";

/** One daemon's status as `daemon status --json` prints it. */
export interface StatusRecord {
  /** Empty for a configured server whose `${VAR}`s are not set. */
  daemonId: string;
  projectDir: string;
  /**
   * `starting`, `ready`, `busy`, `crashed`, `failed`, `stopped`, `stale`,
   * `unreachable`, or `not started` for a server named in the project config.
   */
  state: string;
  server: string;
  /** The server's name in the project config, when it has one. */
  name?: string;
  pid: number | null;
  serverPid: number | null;
  startedAt?: string;
  uptimeMs?: number;
  lastUsedAt?: string;
  idleRemainingMs?: number;
  calls?: number;
  restarts?: number;
  tools?: number | null;
  memory?: { daemon: number | null; server: number | null };
  lastError?: string | null;
  /** The server's last stderr lines (masked). */
  recentStderr?: string[];
  [key: string]: unknown;
}

const HEADER = [
  "ID",
  "STATE",
  "PIDS",
  "UPTIME",
  "LAST USED",
  "CALLS",
  "RESTARTS",
  "TOOLS",
  "MEMORY",
  "IDLE LEFT",
  "SERVER",
];

function optional<T>(value: T | undefined | null, show: (v: T) => string): string {
  return value === undefined || value === null ? "-" : show(value);
}

function row(record: StatusRecord, now: number): string[] {
  const lastUsed = record.lastUsedAt === undefined ? undefined : Date.parse(record.lastUsedAt);
  const memory = record.memory;
  return [
    record.daemonId === "" ? "-" : shortId(record.daemonId),
    record.state,
    record.pid === null ? "-" : `${record.pid}/${record.serverPid ?? "-"}`,
    optional(record.uptimeMs, formatDuration),
    optional(lastUsed, (t) => `${formatDuration(now - t)} ago`),
    optional(record.calls, String),
    optional(record.restarts, String),
    optional(record.tools, String),
    memory === undefined ? "-" : `${formatMemory(memory.daemon)}/${formatMemory(memory.server)}`,
    optional(record.idleRemainingMs, formatDuration),
    record.name === undefined ? record.server : `${record.name}: ${record.server}`,
  ];
}

/** Stderr lines shown under a row with a last error. */
const STDERR_LINES = 3;

/** Options of {@link renderStatusTable}. */
export interface StatusTableOptions {
  /** Put a `project <dir>` line above each project's daemons (for `--all`). */
  groupByProject: boolean;
  /** The time "last used" is measured from. */
  now: number;
}

/**
 * Renders daemon statuses as a table: one row per daemon (PIDS are
 * daemon/server, MEMORY is daemon/server resident memory), and the last
 * error, when there is one, on an indented line below its row, followed by
 * the server's last stderr lines.
 */
export function renderStatusTable(
  records: readonly StatusRecord[],
  options: StatusTableOptions,
): string {
  const lines = formatTable([HEADER, ...records.map((r) => row(r, options.now))]);
  const out: string[] = [lines[0]!];
  let project: string | undefined;
  records.forEach((record, i) => {
    if (options.groupByProject && record.projectDir !== project) {
      project = record.projectDir;
      out.push(`project ${project}`);
    }
    out.push(lines[i + 1]!);
    if (record.lastError) {
      out.push(`  last error: ${record.lastError.replace(/\s+/g, " ")}`);
      for (const line of (record.recentStderr ?? []).slice(-STDERR_LINES)) {
        out.push(`  stderr: ${line}`);
      }
    }
  });
  return `${out.join("\n")}\n`;
}
