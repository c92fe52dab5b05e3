/**
 * The environment a server process starts with, by trust level: trusted
 * servers (levels 1–2) inherit the caller's, a third-party server (level 3)
 * gets a minimal one plus what the user hands it, an untrusted one none.
 */

import { McpwardError } from "@mcpward/core";
import { checkEnv, isBlockedEnvName, isInternalEnvName } from "./env-rules.js";
import type { TrustLevel } from "./policy.js";

/** What a level-3 server inherits from the caller, besides `LC_*`. */
const MINIMAL: ReadonlySet<string> = new Set([
  "HOME",
  "USER",
  "LOGNAME",
  "PATH",
  "SHELL",
  "TERM",
  "LANG",
  "TMPDIR",
  "TZ",
]);

function refuse(decisions: ReturnType<typeof checkEnv>): void {
  const first = decisions[0];
  if (first !== undefined) {
    throw new McpwardError("POLICY_DENIED", `${first.reason} (rule ${first.rule})`, {
      data: { rule: first.rule },
    });
  }
}

/**
 * Builds a server's environment as a null-prototype object.
 *
 * - Levels 1–2: the caller's environment without blocked variables (see
 *   {@link BLOCKED_ENV}; the caller's own PATH stays, since it is the one the
 *   command was found on) and without `MCPWARD_*`, plus `explicit`.
 * - Level 3: only HOME, USER, LOGNAME, PATH, SHELL, TERM, LANG, LC_*,
 *   TMPDIR and TZ from the caller, plus the `passthrough` names present in
 *   the caller's environment, plus `explicit`.
 * - Level 4: never starts.
 *
 * @param inherited - the caller's environment (e.g. `process.env`)
 * @param explicit - variables given after `--` or in config
 * @param passthrough - `envPassthrough` names (exact, case-sensitive)
 * @throws McpwardError `POLICY_DENIED` for level 4, or when `explicit` or
 *   `passthrough` names a blocked, internal or invalid variable (the daemon
 *   should have refused those with {@link checkEnv} already; this is the
 *   last line)
 */
export function serverEnvironment(
  level: TrustLevel,
  inherited: Readonly<Record<string, string | undefined>>,
  explicit: Readonly<Record<string, string>>,
  passthrough: readonly string[] = [],
): Record<string, string> {
  if (level === 4) {
    throw new McpwardError("POLICY_DENIED", "an untrusted (level 4) server is never started", {
      data: { rule: "trust.untrusted" },
    });
  }
  const explicitNames = Object.keys(explicit);
  refuse(checkEnv(explicitNames, "given explicitly"));
  refuse(checkEnv(passthrough, "listed in envPassthrough"));

  const env: Record<string, string> = Object.create(null);
  const passed = new Set(passthrough);
  for (const name of Object.keys(inherited)) {
    const value = inherited[name];
    if (typeof value !== "string" || value.includes("\0")) continue;
    if (isInternalEnvName(name)) continue;
    if (level <= 2) {
      if (isBlockedEnvName(name) && name !== "PATH") continue;
    } else if (!(MINIMAL.has(name) || name.startsWith("LC_") || passed.has(name))) {
      continue;
    }
    env[name] = value;
  }
  for (const name of explicitNames) env[name] = explicit[name]!;
  return env;
}
