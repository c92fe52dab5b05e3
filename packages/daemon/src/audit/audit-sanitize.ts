/**
 * Making values safe to keep in the audit log: exact secret values and
 * token-shaped strings masked, values of secret-named keys redacted, long
 * strings cut with their length noted, and deep or wide structures capped so
 * one call cannot blow up a record.
 */

import { isSecretKey, REDACTED, redactSecrets } from "@mcpward/core";

/** Caps applied to every record. */
export const AUDIT_LIMITS = {
  /** Characters kept of a string argument or result value. */
  stringChars: 256,
  /** Characters kept of free text: server command line, error message, reason. */
  messageChars: 1024,
  /** Nesting depth kept of arguments and results. */
  depth: 8,
  /** Items kept of one array, keys kept of one object. */
  entries: 100,
  /** Objects and arrays kept of one value in total (bounds work and size). */
  nodes: 2000,
  /** Characters of strings examined in one value; later strings become "[TRUNCATED]". */
  textChars: 128 * 1024,
  /** Largest line; above it the result, then the arguments, are replaced by a note. */
  lineBytes: 64 * 1024,
} as const;

/**
 * Exact secret values are looked for in this much of a string (a plain
 * search, cheap), so a long secret that starts in the kept part is masked whole.
 */
const EXACT_WINDOW_CHARS = 16 * 1024;

/**
 * Token-shaped values and `key=value` pairs are looked for in the kept part
 * plus this much: enough that a token starting in the kept part is seen
 * whole (or at least its minimum length), while core's `redactSecrets`,
 * whose cost grows with the square of a long run of word characters, only
 * ever sees a short string.
 */
const REDACT_LOOKAHEAD_CHARS = 512;

/** A private key whose END line lies beyond the window: masked from BEGIN on. */
const OPEN_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*$/;

/**
 * Exact values shorter than this are not masked: they would mask ordinary
 * words and numbers all over the record (same rule as the server log).
 */
const MIN_SECRET_CHARS = 4;

/** Masks secrets in text: `exact` the given values only, `all` token shapes too. */
export interface SecretMasker {
  exact(text: string): string;
  all(text: string): string;
}

/**
 * A masker for the given exact secret values (the env values given after
 * `--`), longest first so a secret containing another is masked whole, plus
 * their URL-encoded forms; `all` then masks token-shaped values and
 * `key=value` pairs through core's `redactSecrets`.
 */
export function createSecretMasker(secrets: readonly string[]): SecretMasker {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_CHARS) continue;
    values.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) values.add(encoded);
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  const exact = (text: string): string => {
    let out = text;
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  };
  return { exact, all: (text) => redactSecrets(exact(text)).replace(OPEN_PRIVATE_KEY, REDACTED) };
}

/** Cuts `text` to `max` characters, noting the original length; never splits a surrogate pair. */
export function truncateText(text: string, max: number, originalLength = text.length): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…[truncated, ${originalLength} chars]`;
}

/**
 * Masks secrets in free text and cuts it to `max` characters (noting the
 * length it had). Only the start of a long text is examined, so the cost is
 * bounded whatever its length.
 */
export function sanitizeAuditText(text: string, mask: SecretMasker, max: number): string {
  const exact = mask.exact(
    text.length > EXACT_WINDOW_CHARS ? text.slice(0, EXACT_WINDOW_CHARS) : text,
  );
  const window = max + REDACT_LOOKAHEAD_CHARS;
  const masked = mask.all(exact.length > window ? exact.slice(0, window) : exact);
  return truncateText(masked, max, text.length);
}

interface WalkState {
  readonly mask: SecretMasker;
  readonly exactValues: ReadonlySet<string>;
  nodes: number;
  /** Characters still allowed through the redaction (bounds the work per value). */
  chars: number;
  readonly ancestors: Set<object>;
}

/**
 * A JSON-safe copy of an argument or result value with every secret masked
 * and every cap of {@link AUDIT_LIMITS} applied. Objects come back with a
 * null prototype; values JSON cannot hold (functions, symbols) are dropped,
 * bigints become text, binary data becomes a byte count.
 *
 * @param secrets - exact secret values, also masked when a number equals one
 */
export function sanitizeAuditValue(
  value: unknown,
  mask: SecretMasker,
  secrets: readonly string[] = [],
): unknown {
  const state: WalkState = {
    mask,
    exactValues: new Set(secrets.filter((s) => typeof s === "string" && s.length > 0)),
    nodes: 0,
    chars: AUDIT_LIMITS.textChars,
    ancestors: new Set(),
  };
  try {
    return walk(value, 0, state);
  } catch {
    // A getter that throws or a proxy: keep the record, lose the value.
    return "[UNREADABLE]";
  }
}

function text(value: string, state: WalkState): string {
  if (state.chars <= 0) return "[TRUNCATED]";
  state.chars -= Math.min(value.length, AUDIT_LIMITS.stringChars + REDACT_LOOKAHEAD_CHARS);
  return sanitizeAuditText(value, state.mask, AUDIT_LIMITS.stringChars);
}

function walk(value: unknown, depth: number, state: WalkState): unknown {
  switch (typeof value) {
    case "string":
      return text(value, state);
    case "number":
      if (!Number.isFinite(value)) return null;
      return state.exactValues.has(String(value)) ? REDACTED : value;
    case "boolean":
      return value;
    case "bigint":
      return text(value.toString(), state);
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? null : value.toISOString();
  }
  if (ArrayBuffer.isView(value)) return `[binary, ${value.byteLength} bytes]`;
  state.nodes += 1;
  if (depth >= AUDIT_LIMITS.depth || state.nodes > AUDIT_LIMITS.nodes) return "[TRUNCATED]";
  if (state.ancestors.has(value)) return "[CIRCULAR]";
  state.ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const kept = value.slice(0, AUDIT_LIMITS.entries).map((item) => {
        const out = walk(item, depth + 1, state);
        return out === undefined ? null : out;
      });
      if (value.length > AUDIT_LIMITS.entries) {
        kept.push(`…[${value.length - AUDIT_LIMITS.entries} more items]`);
      }
      return kept;
    }
    const out: Record<string, unknown> = Object.create(null);
    const keys = Object.keys(value);
    for (const key of keys.slice(0, AUDIT_LIMITS.entries)) {
      const inner = (value as Record<string, unknown>)[key];
      const safeKey = sanitizeAuditText(key, state.mask, AUDIT_LIMITS.stringChars);
      state.chars -= Math.min(key.length, AUDIT_LIMITS.stringChars + REDACT_LOOKAHEAD_CHARS);
      // Same rule as core's redactSecrets: an empty value reveals nothing.
      const secret = isSecretKey(key) && inner !== null && inner !== undefined && inner !== "";
      const kept = secret ? REDACTED : walk(inner, depth + 1, state);
      if (kept !== undefined) out[safeKey] = kept;
    }
    if (keys.length > AUDIT_LIMITS.entries) {
      out["…"] = `[${keys.length - AUDIT_LIMITS.entries} more keys]`;
    }
    return out;
  } finally {
    state.ancestors.delete(value);
  }
}

/** A server as started: explicit env (values are secrets), command and arguments. */
export interface AuditServer {
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>> | undefined;
}

const ENV_TOKEN = /^[A-Za-z_][A-Za-z0-9_]*=/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteArg(arg: string): string {
  return arg === "" || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg;
}

/**
 * The server as one line for the record, env values shown as `NAME=***`:
 * `API_TOKEN=*** npx -y @acme/server --verbose`. A string is taken as that
 * line already; its leading `NAME=value` tokens are masked the same way.
 * Exact secrets and token-shaped values in the command and arguments are
 * masked too.
 */
export function describeServer(server: string | AuditServer, mask: SecretMasker): string {
  let env: string[];
  let rest: string;
  if (typeof server === "string") {
    const tokens = server.split(/\s+/).filter((token) => token !== "");
    let index = 0;
    while (index < tokens.length && ENV_TOKEN.test(tokens[index]!)) index += 1;
    env = tokens.slice(0, index).map((token) => token.replace(/=.*$/s, "=***"));
    rest = tokens.slice(index).join(" ");
  } else {
    env = Object.keys(server.env ?? {})
      .filter((name) => ENV_NAME.test(name))
      .map((name) => `${name}=***`);
    rest = [server.command, ...server.args].map(quoteArg).join(" ");
  }
  // The masked env part is kept out of the redaction, which would turn
  // `TOKEN=***` into `TOKEN=[REDACTED]`.
  const shown = sanitizeAuditText(rest, mask, AUDIT_LIMITS.messageChars);
  return [...env, shown].filter((part) => part !== "").join(" ");
}
