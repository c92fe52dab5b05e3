/** What a masked secret is replaced with. */
export const REDACTED = "[REDACTED]";

/** Key names whose values are secrets, wherever they appear. */
const SECRET_KEY =
  /(?:token|secret|passw(?:or)?d|pass(?:phrase)?$|^pwd$|api[-_]?key|auth(?:orization)?$|cookie|private[-_]?key|credential|session[-_]?id|access[-_]?key|signature)/i;

/** Values that look like credentials whatever their key is called. */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-[A-Za-z0-9_-]{16,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
  /\bBearer\s+[A-Za-z0-9._~+/-]{8,}=*/gi,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  // An unterminated key (truncated output) is masked to the end, not shown.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/**
 * `key=value`, `key: value` and `"key": "value"` pairs inside free text. A
 * quoted value is masked whole (it may contain spaces); an unquoted one (or
 * one with no closing quote) up to the next space or separator, keeping an
 * HTTP auth scheme (`Basic`, …) so the credential after it is the part masked.
 *
 * Server output is hostile and can be megabytes of base64, so the key is
 * matched without backtracking: only where a word starts, grabbed whole by a
 * lookahead and a backreference (an atomic group), then checked for a secret
 * word by a lookbehind that stays inside it. A plain `[\w.-]*token[\w.-]*`
 * takes quadratic time on a long word and cubic on `tokentoken…`.
 */
const TEXT_PAIR =
  /(?<![A-Za-z0-9_.-])(["']?)(?=([A-Za-z0-9_.-]+))\2(?<=(?:token|secret|passw(?:or)?d|api[-_]?key|authorization|cookie|private[-_]?key|credential|access[-_]?key)[A-Za-z0-9_.-]*)\1(\s*[:=]\s*)(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|(["']?)((?:Basic|Bearer|Digest|Token|Negotiate|NTLM)\s+)?([^\s"',;&]+))/gi;

/** `Cookie:` / `Set-Cookie:` header lines: every cookie on the line is a secret. */
const COOKIE_HEADER = /\b((?:set-)?cookie)([ \t]*:[ \t]*)[^\r\n]+/gi;

/** True when a key name (env variable, argument, header) denotes a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function redactText(text: string): string {
  let out = text;
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
  out = out.replace(COOKIE_HEADER, `$1$2${REDACTED}`);
  return out.replace(
    TEXT_PAIR,
    (
      match: string,
      q1: string,
      key: string,
      sep: string,
      doubleQuoted: string | undefined,
      singleQuoted: string | undefined,
      strayQuote: string | undefined,
      scheme: string | undefined,
      bare: string | undefined,
    ) => {
      const head = `${q1}${key}${q1}${sep}`;
      if (doubleQuoted !== undefined) {
        return doubleQuoted === "" || doubleQuoted === REDACTED ? match : `${head}"${REDACTED}"`;
      }
      if (singleQuoted !== undefined) {
        return singleQuoted === "" || singleQuoted === REDACTED ? match : `${head}'${REDACTED}'`;
      }
      return bare === REDACTED ? match : `${head}${strayQuote ?? ""}${scheme ?? ""}${REDACTED}`;
    },
  );
}

/**
 * Masks secrets for logs, status output and the audit log. A string has
 * token-shaped values (`ghp_…`, `github_pat_…`, `sk-…`, `xox…`, `AKIA…`,
 * JWTs, `Bearer …`, PEM private keys) and `secret_key=value` pairs masked. Any
 * other value is copied with the values of secret-looking keys (token,
 * secret, password, api_key, authorization, cookie, private_key, …) masked
 * and every string inside redacted as text. Objects come back with a null
 * prototype; depth is capped at 64 (deeper parts are replaced by
 * `[TRUNCATED]`, a reference back to an enclosing object by `[CIRCULAR]`).
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, 0, new Set()) as T;
}

/**
 * @param ancestors - objects on the path from the root: a cycle is cut there
 *   (without it, `{ a: o, b: o }` with `o` pointing back would take 2^64 steps)
 */
function redactValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= 64) return "[TRUNCATED]";
  if (ancestors.has(value)) return "[CIRCULAR]";
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item) => redactValue(item, depth + 1, ancestors));
    }
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value)) {
      const inner = (value as Record<string, unknown>)[key];
      out[key] =
        isSecretKey(key) && inner !== null && inner !== undefined && inner !== ""
          ? REDACTED
          : redactValue(inner, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
