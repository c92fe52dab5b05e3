/**
 * The contract between mcpward and policies, built-in or from external
 * packages. Keep it small: every name here is a promise to plugin authors.
 */

/** What a policy says about one action. */
export type Action = "allow" | "ask" | "deny";

/** A policy's answer: the action, a one-line reason and the rule that decided. */
export interface Decision {
  action: Action;
  /** One line a user can act on, e.g. "LD_PRELOAD may not be set for a server". */
  reason: string;
  /** Stable rule name, e.g. "env.blocked" or "acme/no-prod-writes". */
  rule: string;
}

/**
 * Trust levels, from most to least trusted: 1 built-in (official
 * `@modelcontextprotocol/server-*` packages through npx and similar),
 * 2 project (executables inside the project, or config servers the user
 * approved), 3 third-party (everything else: asks once, remembered),
 * 4 untrusted (denied).
 */
export type TrustLevel = 1 | 2 | 3 | 4;

/** Facts about a server that policies may read. */
export interface ServerInfo {
  /** The command as given (bare name or path). */
  command: string;
  /** The executable after PATH lookup and realpath, or null when not found. */
  executable: string | null;
  /**
   * Real path of the script an interpreter runs (`node server.js`), or null;
   * absent when the host did not classify the server.
   */
  script?: string | null | undefined;
  args: readonly string[];
  /** Names of the variables given explicitly (values are never shown to policies). */
  envNames: readonly string[];
  /** Name of the server in config, when it was started by name. */
  name: string | null;
  trustLevel: TrustLevel;
}

/** Context of the decision taken before a server starts. */
export interface ServerStartContext {
  server: ServerInfo;
  /** Real path of the project directory. */
  projectDir: string;
}

/** Context of the decision taken before each tool call. */
export interface ToolCallContext {
  server: ServerInfo;
  projectDir: string;
  tool: {
    name: string;
    /** The tool's MCP annotations (readOnlyHint, destructiveHint, …), if any. */
    annotations?: Readonly<Record<string, unknown>> | undefined;
  };
  /** The arguments as they will be sent (already parsed and sanitised). */
  arguments: Readonly<Record<string, unknown>>;
}

/**
 * A policy. Either hook may be omitted; returning undefined abstains. Hooks
 * may be async. A custom policy runs isolated in a worker with a time limit:
 * throwing, hanging, crashing or returning something invalid counts as deny.
 */
export interface Policy {
  /** Name shown in reasons and the audit log, e.g. "@acme/mcpward-policy". */
  name: string;
  checkServerStart?(
    context: ServerStartContext,
  ): Decision | undefined | Promise<Decision | undefined>;
  checkToolCall?(context: ToolCallContext): Decision | undefined | Promise<Decision | undefined>;
}

/**
 * Declares a policy (identity at runtime; it gives plugin authors types and
 * checks the shape early).
 *
 * @throws TypeError when `policy` has no name or a hook is not a function.
 */
export function definePolicy<P extends Policy>(policy: P): P {
  if (
    typeof policy !== "object" ||
    policy === null ||
    typeof policy.name !== "string" ||
    policy.name === ""
  ) {
    throw new TypeError("definePolicy: a policy needs a non-empty name");
  }
  for (const hook of ["checkServerStart", "checkToolCall"] as const) {
    if (policy[hook] !== undefined && typeof policy[hook] !== "function") {
      throw new TypeError(`definePolicy: ${hook} must be a function`);
    }
  }
  return policy;
}

const RANK: Record<Action, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * Combines decisions: deny beats ask beats allow; among equals the first
 * wins. No decisions at all means allow by `defaultRule`.
 */
export function combineDecisions(
  decisions: readonly Decision[],
  defaultRule = "default",
): Decision {
  let best: Decision | undefined;
  for (const decision of decisions) {
    if (best === undefined || RANK[decision.action] > RANK[best.action]) best = decision;
  }
  return best ?? { action: "allow", reason: "no rule objected", rule: defaultRule };
}
