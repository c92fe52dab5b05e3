/**
 * Per-server tool rules (deny, ask and allow globs) and approval modes,
 * decided before each tool call.
 *
 * Names compare in two ways, chosen so that a trick can only make mcpward
 * stricter. Patterns that tighten (`deny`, `ask`) match loosely: Unicode
 * NFKC, case-insensitive, ignoring whitespace, invisible format characters,
 * `-` and `_` (every name the CLI treats as the same tool, and then some).
 * Patterns that loosen (`allow`) match the exact name. Lists are scanned and
 * annotations read as own properties only, so `__proto__`, `constructor` or
 * `toString` is just a name.
 */

import type { ApprovalMode } from "./config-schema.js";
import { globToRegExp } from "./glob.js";
import type { Decision, ToolCallContext } from "./policy.js";

/** The tool rules of one server, with the approval mode already resolved (server, else global). */
export interface ToolRules {
  /** Tools that run without a prompt under `on-request` (exact names or globs). */
  allow?: readonly string[] | undefined;
  /** Tools that are refused (loose match). */
  deny?: readonly string[] | undefined;
  /** Tools that ask before every call, whatever the approval mode (loose match). */
  ask?: readonly string[] | undefined;
  /** Default `on-request`. */
  approval?: ApprovalMode | undefined;
}

/**
 * The loose form of a name or pattern; `*` and `?` survive. Compatibility
 * decomposition and dropped combining marks fold `ｄｅｌｅｔｅ`, `délete` and
 * the dotted `İ` onto plain letters.
 */
function loose(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[\s\p{Cf}_-]/gu, "");
}

function findMatch(
  patterns: readonly string[] | undefined,
  name: string,
  mode: "loose" | "exact",
): string | null {
  if (patterns === undefined) return null;
  const subject = mode === "loose" ? loose(name) : name;
  for (const pattern of patterns) {
    if (typeof pattern !== "string") continue;
    const glob = mode === "loose" ? loose(pattern) : pattern;
    if (
      glob.includes("*") || glob.includes("?") ? globToRegExp(glob).test(subject) : glob === subject
    ) {
      return pattern;
    }
  }
  return null;
}

function ownFlag(annotations: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return annotations !== undefined &&
    annotations !== null &&
    typeof annotations === "object" &&
    Object.hasOwn(annotations, key)
    ? annotations[key]
    : undefined;
}

/**
 * Why a tool may change things, or null when its annotations say it does not
 * and its server is trusted enough (level 1–2) to be believed.
 */
function possiblyDestructive(context: ToolCallContext): string | null {
  const { annotations } = context.tool;
  const level = context.server.trustLevel;
  const readOnly = ownFlag(annotations, "readOnlyHint") === true;
  if (level >= 3) {
    return readOnly
      ? `its readOnlyHint is not believed from a level-${level} server`
      : "it does not say it is read-only";
  }
  if (readOnly) return null;
  return annotations === undefined ? "it has no annotations" : "it does not say it is read-only";
}

/**
 * The tool rules and approval gate for one call.
 *
 * - `deny` match → deny (`tool.deny`); deny beats everything.
 * - `ask` match → ask (`tool.ask`), in every approval mode.
 * - approval `always` → ask (`approval.always`) for every call.
 * - approval `on-request` → ask (`approval.on-request`) for a possibly
 *   destructive tool of a level-3 server, unless `allow` names it exactly.
 *   Tools without annotations count as possibly destructive; `readOnlyHint`
 *   is believed only from level 1–2 servers.
 * - approval `never` → nobody is prompted: the approval gate adds no ask,
 *   and an `ask` match becomes a deny (`approval.never`), failing closed.
 *
 * @returns the decisions that apply; empty means allow
 */
export function checkToolCall(context: ToolCallContext, rules: ToolRules): Decision[] {
  const name = context.tool.name;
  const shown = JSON.stringify(name);
  const decisions: Decision[] = [];
  const denied = findMatch(rules.deny, name, "loose");
  if (denied !== null) {
    decisions.push({
      action: "deny",
      reason: `tool ${shown} is denied for this server by pattern ${JSON.stringify(denied)}`,
      rule: "tool.deny",
    });
    return decisions;
  }
  const asked = findMatch(rules.ask, name, "loose");
  if (asked !== null) {
    decisions.push({
      action: "ask",
      reason: `tool ${shown} needs approval before each call (pattern ${JSON.stringify(asked)})`,
      rule: "tool.ask",
    });
  }
  const approval = rules.approval ?? "on-request";
  if (approval === "always") {
    decisions.push({
      action: "ask",
      reason: `approval is "always" for this server: every call of ${shown} needs approval`,
      rule: "approval.always",
    });
  } else if (approval === "on-request" && context.server.trustLevel >= 3) {
    const why = possiblyDestructive(context);
    const allowed = findMatch(rules.allow, name, "exact");
    if (allowed !== null) {
      decisions.push({
        action: "allow",
        reason: `tool ${shown} is allowed without a prompt by pattern ${JSON.stringify(allowed)}`,
        rule: "tool.allow",
      });
    } else if (why !== null) {
      decisions.push({
        action: "ask",
        reason: `tool ${shown} of a level-${context.server.trustLevel} (third-party) server may change things (${why}); approve it or list it under tools.allow`,
        rule: "approval.on-request",
      });
    }
  }
  if (approval === "never") {
    return decisions.map((d) =>
      d.action === "ask"
        ? {
            action: "deny",
            reason: `${d.reason}; approval is "never" for this server, so it is refused`,
            rule: "approval.never",
          }
        : d,
    );
  }
  return decisions;
}
