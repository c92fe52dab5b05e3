/**
 * The audit record: one JSON line per event, chained by hash.
 *
 * Each line carries `prev`, the hex SHA-256 of the exact bytes of the line
 * before it (without its newline); the first record of a log has
 * {@link GENESIS_HASH}, and the first record of a file created by rotation
 * continues from the last line of the previous file. A record holds no hash
 * of itself: the next line's `prev`, and for the last line the `audit.head`
 * file, vouch for it. Editing, deleting or reordering lines therefore breaks
 * the chain where it happened.
 */

import { createHash } from "node:crypto";
import { McpwardError } from "@mcpward/core";
import {
  AUDIT_LIMITS,
  type AuditServer,
  createSecretMasker,
  describeServer,
  type SecretMasker,
  sanitizeAuditText,
  sanitizeAuditValue,
} from "./audit-sanitize.js";

/** Version of the record format, the `v` of every line. */
export const AUDIT_FORMAT_VERSION = 1;

/** `prev` of the first record of a log: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/** Events the log records. */
export const AUDIT_EVENTS = [
  "server.start",
  "server.stop",
  "server.crash",
  "server.restart",
  "policy.decision",
  "tool.call",
] as const;

/** One of {@link AUDIT_EVENTS}. */
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** How a tool call ended. */
export const AUDIT_OUTCOMES = [
  "ok",
  "tool-error",
  "denied",
  "timeout",
  "cancelled",
  "failed",
] as const;

/** One of {@link AUDIT_OUTCOMES}. */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** A policy decision as recorded. */
export interface AuditDecision {
  action: "allow" | "ask" | "deny";
  rule: string;
  reason: string;
}

/** An error as recorded (masked and cut like everything else). */
export interface AuditError {
  code: string;
  message: string;
}

/** One line of the audit log, as written and as read back. */
export interface AuditRecord {
  v: 1;
  /** 1, 2, 3, … across all files of one log, with no gaps. */
  seq: number;
  /** ISO 8601 time the record was written. */
  time: string;
  event: AuditEventName;
  /** projectId */
  project: string;
  projectDir: string;
  /** daemonId */
  daemon: string;
  /** The server's command line, env values shown as `NAME=***`. */
  server: string;
  tool?: string;
  /** Tool arguments: secrets masked, long strings cut, deep structures capped. */
  arguments?: unknown;
  decision?: AuditDecision;
  durationMs?: number;
  outcome?: AuditOutcome;
  /** Size of the tool's result in bytes (its JSON). */
  resultBytes?: number;
  /** The result itself, only when `audit.results` is on; masked and cut. */
  result?: unknown;
  clientPid?: number;
  error?: AuditError;
  /** Hex SHA-256 of the previous line's bytes, or {@link GENESIS_HASH}. */
  prev: string;
}

/** What a caller records: the event's facts; sequence, time and chain are added on write. */
export interface AuditEntry {
  event: AuditEventName;
  project: string;
  projectDir: string;
  daemon: string;
  /** The server spec (env values are masked) or its command line. */
  server: string | AuditServer;
  tool?: string | undefined;
  arguments?: unknown;
  decision?: AuditDecision | undefined;
  durationMs?: number | undefined;
  outcome?: AuditOutcome | undefined;
  resultBytes?: number | undefined;
  /** Kept only when the writer was opened with `results: true`. */
  result?: unknown;
  clientPid?: number | undefined;
  /** An error (e.g. a McpwardError); only `code` and `message` are kept. */
  error?: { code?: string | undefined; message: string } | undefined;
}

/** Options of {@link buildAuditRecord} and {@link prepareAuditEntry}. */
export interface AuditBuildOptions {
  /** Exact values to mask wherever they appear (the env values given after `--`). */
  secrets?: readonly string[] | undefined;
  /** Keep `result` (the `audit.results` setting). Default false. */
  includeResult?: boolean | undefined;
}

/** An entry made safe and serialised, waiting for its place in the chain. */
export interface PreparedAuditEntry {
  /** The record's JSON without `v`, `seq`, `time` and `prev`. */
  readonly body: string;
}

/** A record placed in the chain: its line (no newline) and the line's hash. */
export interface SealedAuditRecord {
  record: AuditRecord;
  line: string;
  hash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** Room kept in a line for `v`, `seq`, `time` and `prev`. */
const SEAL_BYTES = 160;

/** Hex SHA-256 of one line's bytes (without its newline). */
export function hashAuditLine(line: string | Uint8Array): string {
  return createHash("sha256").update(line).digest("hex");
}

function nonNegative(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function fail(message: string): never {
  throw new McpwardError("INTERNAL", `invalid audit entry: ${message}`);
}

/**
 * Masks, cuts and serialises an entry (the expensive part, done before the
 * log is locked).
 *
 * @throws McpwardError `INTERNAL` for an unknown event or outcome (a bug in the caller)
 */
export function prepareAuditEntry(
  entry: AuditEntry,
  options: AuditBuildOptions = {},
  mask: SecretMasker = createSecretMasker(options.secrets ?? []),
): PreparedAuditEntry {
  if (!(AUDIT_EVENTS as readonly string[]).includes(entry.event)) {
    fail(`unknown event ${JSON.stringify(String(entry.event).slice(0, 40))}`);
  }
  if (
    entry.outcome !== undefined &&
    !(AUDIT_OUTCOMES as readonly string[]).includes(entry.outcome)
  ) {
    fail(`unknown outcome ${JSON.stringify(String(entry.outcome).slice(0, 40))}`);
  }
  const secrets = options.secrets ?? [];
  const short = (text: unknown): string =>
    sanitizeAuditText(String(text ?? ""), mask, AUDIT_LIMITS.stringChars);
  const long = (text: unknown): string =>
    sanitizeAuditText(String(text ?? ""), mask, AUDIT_LIMITS.messageChars);
  const body: Record<string, unknown> = {
    event: entry.event,
    project: short(entry.project),
    projectDir: long(entry.projectDir),
    daemon: short(entry.daemon),
    server: describeServer(entry.server, mask),
  };
  if (entry.tool !== undefined) body.tool = short(entry.tool);
  if (entry.arguments !== undefined) {
    body.arguments = sanitizeAuditValue(entry.arguments, mask, secrets);
  }
  if (entry.decision !== undefined) {
    const action = entry.decision.action;
    if (action !== "allow" && action !== "ask" && action !== "deny") fail("unknown decision");
    body.decision = {
      action,
      rule: short(entry.decision.rule),
      reason: long(entry.decision.reason),
    };
  }
  const duration = nonNegative(entry.durationMs);
  if (duration !== undefined) body.durationMs = Math.round(duration);
  if (entry.outcome !== undefined) body.outcome = entry.outcome;
  const resultBytes = nonNegative(entry.resultBytes);
  if (resultBytes !== undefined) body.resultBytes = Math.round(resultBytes);
  if (options.includeResult === true && entry.result !== undefined) {
    body.result = sanitizeAuditValue(entry.result, mask, secrets);
  }
  const pid = nonNegative(entry.clientPid);
  if (pid !== undefined && Number.isInteger(pid)) body.clientPid = pid;
  if (entry.error !== undefined) {
    body.error = { code: short(entry.error.code ?? "ERROR"), message: long(entry.error.message) };
  }
  return { body: fitLine(body) };
}

/** Serialises `body`, replacing the result and then the arguments by a note when too large. */
function fitLine(body: Record<string, unknown>): string {
  const limit = AUDIT_LIMITS.lineBytes - SEAL_BYTES;
  let json = JSON.stringify(body);
  for (const field of ["result", "arguments"] as const) {
    const size = Buffer.byteLength(json);
    if (size <= limit) break;
    if (body[field] === undefined) continue;
    const fieldBytes = Buffer.byteLength(JSON.stringify(body[field]));
    body[field] = `[TRUNCATED: ${field} took ${fieldBytes} bytes]`;
    json = JSON.stringify(body);
  }
  return json;
}

/**
 * Places a prepared entry in the chain.
 *
 * @param seq - the record's sequence number (previous + 1)
 * @param prev - hash of the previous line, or {@link GENESIS_HASH}
 */
export function sealAuditRecord(
  prepared: PreparedAuditEntry,
  seq: number,
  prev: string,
  time: Date = new Date(),
): SealedAuditRecord {
  const line = `{"v":${AUDIT_FORMAT_VERSION},"seq":${seq},"time":${JSON.stringify(time.toISOString())},${prepared.body.slice(1, -1)},"prev":${JSON.stringify(prev)}}`;
  let record: AuditRecord | undefined;
  return {
    // Parsed only when asked for: a daemon writing records never needs it.
    get record(): AuditRecord {
      record ??= JSON.parse(line) as AuditRecord;
      return record;
    },
    line,
    hash: hashAuditLine(line),
  };
}

/**
 * Builds one record: {@link prepareAuditEntry} then {@link sealAuditRecord}.
 *
 * @returns the record, its line (no newline) and the line's hash
 * @throws McpwardError `INTERNAL` for an unknown event or outcome
 */
export function buildAuditRecord(
  entry: AuditEntry,
  chain: { seq: number; prev: string; time?: Date | undefined },
  options: AuditBuildOptions = {},
): SealedAuditRecord {
  return sealAuditRecord(prepareAuditEntry(entry, options), chain.seq, chain.prev, chain.time);
}

/** True when `value` (a parsed line) has the shape of an {@link AuditRecord}. */
export function isAuditRecord(value: unknown): value is AuditRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    record.v === AUDIT_FORMAT_VERSION &&
    Number.isSafeInteger(record.seq) &&
    (record.seq as number) > 0 &&
    typeof record.time === "string" &&
    typeof record.event === "string" &&
    typeof record.prev === "string" &&
    HEX64.test(record.prev)
  );
}

/** Parses one line; null when it is not a well-formed record. */
export function parseAuditLine(line: string | Uint8Array): AuditRecord | null {
  try {
    const text = typeof line === "string" ? line : Buffer.from(line).toString("utf8");
    const value: unknown = JSON.parse(text);
    return isAuditRecord(value) ? value : null;
  } catch {
    return null;
  }
}
