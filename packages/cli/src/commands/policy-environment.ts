import type { ServerSpec } from "@mcpward/core/light";
import { checkEnv, serverEnvironment, type TrustLevel } from "@mcpward/policy";

/** The server's environment for its level: variable names only, never values. */
export interface EnvironmentReport {
  /** How the level builds it, in words. */
  mode: string;
  /** Caller variables that would be passed. */
  inherited: string[];
  /** Variables given after `--` that would be passed. */
  explicit: string[];
  /** Variables given after `--` that a rule refuses. */
  refused: string[];
  /** Caller variables that would not be passed (empty at level 4: nothing starts). */
  withheld: string[];
}

/** The explicit variables no rule refuses. */
function allowedExplicit(spec: ServerSpec): { allowed: Record<string, string>; refused: string[] } {
  const allowed: Record<string, string> = Object.create(null);
  const refused: string[] = [];
  for (const name of Object.keys(spec.env)) {
    if (checkEnv([name]).length > 0) refused.push(name);
    else allowed[name] = spec.env[name]!;
  }
  return { allowed, refused: refused.sort() };
}

/** Which variables a server of `level` would get (names only). */
export function environmentReport(level: TrustLevel, spec: ServerSpec): EnvironmentReport {
  const callerNames = Object.keys(process.env)
    .filter((name) => typeof process.env[name] === "string")
    .sort();
  const { allowed, refused } = allowedExplicit(spec);
  const explicit = Object.keys(allowed).sort();
  if (level === 4) {
    return {
      mode: "none: an untrusted (level 4) server never starts",
      inherited: [],
      explicit: [],
      refused,
      withheld: [],
    };
  }
  const env = serverEnvironment(level, process.env, allowed, []);
  const inherited = Object.keys(env)
    .filter((name) => !Object.hasOwn(allowed, name))
    .sort();
  return {
    mode:
      level <= 2
        ? "your environment, minus blocked and mcpward's own variables"
        : "minimal: HOME, USER, LOGNAME, PATH, SHELL, TERM, LANG, LC_*, TMPDIR, TZ",
    inherited,
    explicit,
    refused,
    withheld: callerNames.filter((name) => !Object.hasOwn(env, name)),
  };
}
