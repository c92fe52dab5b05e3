/**
 * Merging rules from the config layers (user config, project config, the
 * chosen profile in each, a server's own entry) into the rules one server
 * runs under. The principle: the project config can only tighten what it
 * does not own. Its deny and ask lists always apply; its allow lists, and an
 * approval mode that prompts less, apply only to servers it declares itself
 * (whose whole entry the user approves, by hash, before they first run).
 */

import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { APPROVAL_MODES, type ApprovalMode, type RulesConfig } from "./config-schema.js";

/** Where a setting came from. */
export type ConfigOrigin = "user" | "project";

/** A policy plugin named in config. */
export interface PolicyReference {
  /** As written; a user-config relative path is made absolute against the user config directory. */
  specifier: string;
  /** Project-config plugins need the user's approval before they load. */
  origin: ConfigOrigin;
  /** The config file that names it. */
  file: string;
}

/** The rules one server runs under, after merging. */
export interface EffectiveRules {
  /** Tool globs: deny and ask lists are unions of every layer. */
  tools: { allow: string[]; deny: string[]; ask: string[] };
  /** The most prompting mode any layer asks for (never < on-request < always). */
  approval: ApprovalMode;
  /** Absolute directories that path arguments must stay inside. */
  roots: string[];
  /** Every plugin any layer names; plugins can only tighten. */
  policies: PolicyReference[];
  /** Restart the server after its code changed: the most specific layer that says wins (default true). */
  restartOnChange: boolean;
  /** The smallest memory limit any layer sets, in MiB, or null for none. */
  memoryLimitMb: number | null;
}

/** One layer of settings, least specific first. */
export interface RulesLayer {
  origin: ConfigOrigin;
  file: string;
  rules: RulesConfig;
}

/** Rank by how much the user is prompted. */
const RANK: Record<ApprovalMode, number> = { never: 0, "on-request": 1, always: 2 };

function stricter(a: ApprovalMode, b: ApprovalMode): ApprovalMode {
  return RANK[b] > RANK[a] ? b : a;
}

function union(target: string[], items: readonly string[] | undefined): void {
  for (const item of items ?? []) if (!target.includes(item)) target.push(item);
}

/** `~` and `~/x` in user config only; a project cannot name the home directory. */
function expandHome(path: string, env: Readonly<Record<string, string | undefined>>): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = env.HOME !== undefined && env.HOME !== "" ? env.HOME : homedir();
  return join(home, path.slice(1));
}

/**
 * Makes a user-config specifier usable from anywhere: `./x.js` becomes an
 * absolute path against the user config directory; bare names stay.
 */
export function userSpecifier(specifier: string, configDir: string): string {
  return specifier.startsWith("./") || specifier.startsWith("../")
    ? resolve(configDir, specifier)
    : specifier;
}

/**
 * Merges layers into effective rules.
 *
 * @param owner - who declared the server: its layers from that origin (and
 *   always the user's) may loosen; `null` for a server named on the command
 *   line, for which only the user's layers may
 * @param projectDir - real path of the project: relative roots and the default root
 */
export function mergeRules(
  layers: readonly RulesLayer[],
  owner: ConfigOrigin | null,
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
): EffectiveRules {
  const tools = { allow: [] as string[], deny: [] as string[], ask: [] as string[] };
  const policies: PolicyReference[] = [];
  let vouched: ApprovalMode | undefined;
  let tightening: ApprovalMode = APPROVAL_MODES[0];
  let roots: string[] | undefined;
  let restartOnChange = true;
  let memoryLimitMb: number | null = null;
  for (const layer of layers) {
    const canLoosen = layer.origin === "user" || layer.origin === owner;
    const { rules } = layer;
    union(tools.deny, rules.tools?.deny);
    union(tools.ask, rules.tools?.ask);
    if (canLoosen) union(tools.allow, rules.tools?.allow);
    if (rules.approval !== undefined) {
      if (canLoosen)
        vouched = vouched === undefined ? rules.approval : stricter(vouched, rules.approval);
      else tightening = stricter(tightening, rules.approval);
    }
    if (rules.roots !== undefined) {
      roots = rules.roots.map((root) =>
        resolve(projectDir, layer.origin === "user" ? expandHome(root, env) : root),
      );
    }
    // Not a security setting: any layer may choose, the most specific last.
    if (rules.restartOnChange !== undefined) restartOnChange = rules.restartOnChange;
    // A cap only tightens, so a project can lower the user's limit but not lift it.
    if (rules.memoryLimitMb !== undefined) {
      memoryLimitMb = Math.min(memoryLimitMb ?? rules.memoryLimitMb, rules.memoryLimitMb);
    }
    for (const specifier of rules.policies ?? []) {
      if (!policies.some((p) => p.specifier === specifier && p.origin === layer.origin)) {
        policies.push({ specifier, origin: layer.origin, file: layer.file });
      }
    }
  }
  return {
    tools,
    approval: stricter(vouched ?? "on-request", tightening),
    roots: roots ?? [projectDir],
    policies,
    restartOnChange,
    memoryLimitMb,
  };
}
