/**
 * Environment variables a server may not be given: each one makes a program
 * load or run code it was not asked to (a library, a module, a startup file,
 * a command), or changes which program runs.
 *
 * Names match case-insensitively: Windows treats environment names without
 * case, and some loaders and language runtimes look names up loosely, so
 * `ld_preload` is refused like `LD_PRELOAD`.
 */

import type { Decision } from "./policy.js";

/** Families, matched by prefix (upper case). */
const BLOCKED_PREFIXES: ReadonlyMap<string, string> = new Map([
  [
    "LD_",
    "controls the dynamic loader (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT load libraries into the process)",
  ],
  [
    "DYLD_",
    "controls the macOS dynamic loader (DYLD_INSERT_LIBRARIES loads libraries into the process)",
  ],
  ["BASH_FUNC_", "defines a bash function that runs in place of a command (like BASH_ENV)"],
  ["GIT_CONFIG_KEY_", "sets git configuration such as core.sshCommand (like GIT_SSH_COMMAND)"],
  ["GIT_CONFIG_VALUE_", "sets git configuration such as core.sshCommand (like GIT_SSH_COMMAND)"],
]);

/** Single names (upper case) and why each is refused. */
const BLOCKED_NAMES: ReadonlyMap<string, string> = new Map([
  ["NODE_OPTIONS", "adds Node.js options such as --require, which load code"],
  ["NODE_PATH", "adds directories Node.js loads modules from"],
  ["PYTHONPATH", "adds directories Python imports modules from"],
  ["PYTHONSTARTUP", "names a file Python runs at start"],
  ["PERL5OPT", "adds Perl options such as -M, which load code"],
  ["PERL5LIB", "adds directories Perl loads modules from"],
  ["PERLLIB", "adds directories Perl loads modules from (like PERL5LIB)"],
  ["RUBYOPT", "adds Ruby options such as -r, which load code"],
  ["RUBYLIB", "adds directories Ruby loads libraries from (like PERL5LIB)"],
  ["BASH_ENV", "names a file bash runs before any script"],
  ["ENV", "names a file sh runs at start"],
  ["JAVA_TOOL_OPTIONS", "adds JVM options such as -javaagent, which load code"],
  ["JDK_JAVA_OPTIONS", "adds JVM options such as -javaagent (like JAVA_TOOL_OPTIONS)"],
  ["_JAVA_OPTIONS", "adds JVM options such as -javaagent (like JAVA_TOOL_OPTIONS)"],
  ["GCONV_PATH", "makes glibc load character-conversion modules from a directory"],
  ["GIT_SSH_COMMAND", "names a command git runs"],
  ["GIT_SSH", "names a program git runs (like GIT_SSH_COMMAND)"],
  [
    "GIT_CONFIG_PARAMETERS",
    "sets git configuration such as core.sshCommand (like GIT_SSH_COMMAND)",
  ],
  ["GIT_CONFIG_COUNT", "sets git configuration such as core.sshCommand (like GIT_SSH_COMMAND)"],
  ["PATH", "changes which programs the server and its children run"],
]);

/**
 * The blocked variables, as shown to users: exact names, and `PREFIX*` for
 * whole families. Matched case-insensitively.
 */
export const BLOCKED_ENV: readonly string[] = Object.freeze([
  ...[...BLOCKED_PREFIXES.keys()].map((prefix) => `${prefix}*`),
  ...BLOCKED_NAMES.keys(),
]);

/** A name the shell could export; anything else (`A=B`, `A B`, NUL) is refused. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` is blocked, or null when it is not. */
function blockedBecause(name: string): string | null {
  const upper = name.toUpperCase();
  const exact = BLOCKED_NAMES.get(upper);
  if (exact !== undefined) return exact;
  for (const [prefix, why] of BLOCKED_PREFIXES) if (upper.startsWith(prefix)) return why;
  return null;
}

/**
 * True when `name` may never be set for a server (see {@link BLOCKED_ENV});
 * case-insensitive.
 */
export function isBlockedEnvName(name: string): boolean {
  return blockedBecause(name) !== null;
}

/** True for mcpward's own `MCPWARD_*` variables (any case), which never reach a server. */
export function isInternalEnvName(name: string): boolean {
  return name.toUpperCase().startsWith("MCPWARD_");
}

/**
 * Checks the names of variables a server is to be given. Values are never
 * looked at (they may be secrets) and never appear in a reason.
 *
 * @param names - variable names, e.g. the explicit env after `--` or in config
 * @param origin - where they came from, for the message, e.g. "after --"
 * @returns one `deny` per refused name (rules `env.blocked`, `env.internal`,
 *   `env.invalid-name`); empty when all may be set
 */
export function checkEnv(names: Iterable<string>, origin = "for the server"): Decision[] {
  const decisions: Decision[] = [];
  for (const name of names) {
    const shown = JSON.stringify(name);
    if (!ENV_NAME.test(name)) {
      decisions.push({
        action: "deny",
        reason: `environment variable name ${shown} (${origin}) is not valid: use letters, digits and _`,
        rule: "env.invalid-name",
      });
      continue;
    }
    const blocked = blockedEnvDecision(name, origin);
    if (blocked !== null) {
      decisions.push(blocked);
    } else if (isInternalEnvName(name)) {
      decisions.push({
        action: "deny",
        reason: `environment variable ${name} (${origin}) is mcpward's own and never reaches a server; remove it`,
        rule: "env.internal",
      });
    }
  }
  return decisions;
}

/**
 * The `env.blocked` deny for `name` (see {@link BLOCKED_ENV}), or null when
 * it may be set. Unlike {@link checkEnv}, any string is looked at, valid
 * name or not.
 */
export function blockedEnvDecision(name: string, origin: string): Decision | null {
  const why = blockedBecause(name);
  if (why === null) return null;
  return {
    action: "deny",
    reason: `environment variable ${name} (${origin}) may not be set for a server: it ${why}; remove it`,
    rule: "env.blocked",
  };
}
