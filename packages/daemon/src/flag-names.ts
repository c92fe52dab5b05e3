/**
 * The mapping between a tool's property names and its command-line flags:
 * `maxResults` is shown as `--max-results` and found from `--max-results`,
 * `--max_results` or `--maxResults`; a boolean `verbose` is also found from
 * `--no-verbose`. All lookups go through Maps, so a property or flag called
 * `__proto__` is only a string.
 */

import { isPrototypeKey } from "@mcpward/core";
import { schemaKind } from "./schema-types.js";
import { normaliseToolName } from "./tool-name.js";

/** The flag that passes all arguments at once as a JSON object; never a property's flag. */
export const JSON_FLAG = "json";

/** How a typed flag name (without `--`) resolved against the tool's properties. */
export type FlagMatch =
  /** A property, `negated` for the `--no-` form of a boolean. */
  | { readonly kind: "property"; readonly property: string; readonly negated: boolean }
  /** Several properties are variants of the name and none matches exactly. */
  | { readonly kind: "ambiguous"; readonly properties: readonly string[] }
  /** A prototype key, or a property that cannot be a flag (see {@link isReservedProperty}). */
  | { readonly kind: "reserved"; readonly property: string }
  /** `--no-x` where `x` exists but is not a boolean. */
  | { readonly kind: "not-boolean"; readonly property: string }
  | { readonly kind: "none" };

/** Looks up properties by flag name and renders the flag of each property. */
export interface FlagIndex {
  /** What a flag name means: exact property name first, then the only variant, then `no-`. */
  resolve(flagName: string): FlagMatch;
  /** The flag name (without `--`) shown for a property, or undefined when it has none. */
  flagOf(property: string): string | undefined;
  /** Every flag with its `--`, including the `--no-` forms of booleans, for suggestions. */
  allFlags(): string[];
  /** True when `token` would be read as one of this tool's flags (or `--json`). */
  isFlagToken(token: string): boolean;
}

/**
 * True for property names that are never taken from flags: the prototype
 * keys (`__proto__`, `constructor`, `prototype`), refused so they are never
 * assigned to an object further down, and `json`, since `--json` passes all
 * arguments (such a property is passed inside `--json '{"json": …}'`).
 */
export function isReservedProperty(property: string): boolean {
  return isPrototypeKey(property) || property === JSON_FLAG;
}

/** `maxResults`, `max_results`, `URLPath` → `max-results`, `max-results`, `url-path`. */
function toKebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase();
}

/** Builds the flag index of a tool's properties (`[name, schema]` pairs in schema order). */
export function buildFlagIndex(properties: ReadonlyArray<readonly [string, unknown]>): FlagIndex {
  const names = properties.map(([name]) => name);
  const exact = new Set(names);
  const booleans = new Set(
    properties.filter(([, s]) => schemaKind(s) === "boolean").map(([n]) => n),
  );
  const byVariant = new Map<string, string[]>();
  for (const name of names) {
    const key = normaliseToolName(name);
    byVariant.set(key, [...(byVariant.get(key) ?? []), name]);
  }
  const flags = new Map<string, string>();
  for (const name of names) {
    if (isReservedProperty(name)) continue;
    const kebab = toKebab(name);
    // The kebab form is shown only when it leads back to this property alone
    // and is plain text; otherwise the exact name is the flag.
    const usable =
      byVariant.get(normaliseToolName(name))?.length === 1 &&
      kebab !== JSON_FLAG &&
      /^[a-z0-9][a-z0-9-]*$/.test(kebab) &&
      (kebab === name || !exact.has(kebab));
    flags.set(name, usable ? kebab : name);
  }

  const direct = (flagName: string): FlagMatch => {
    if (isPrototypeKey(flagName)) return { kind: "reserved", property: flagName };
    const found = exact.has(flagName)
      ? [flagName]
      : (byVariant.get(normaliseToolName(flagName)) ?? []);
    if (found.length > 1) return { kind: "ambiguous", properties: found };
    const property = found[0];
    if (property === undefined) return { kind: "none" };
    if (isReservedProperty(property)) return { kind: "reserved", property };
    return { kind: "property", property, negated: false };
  };

  const resolve = (flagName: string): FlagMatch => {
    const match = direct(flagName);
    if (match.kind !== "none" || !/^no[-_]/.test(flagName)) return match;
    const base = direct(flagName.slice(3));
    if (base.kind !== "property") return { kind: "none" };
    return booleans.has(base.property)
      ? { kind: "property", property: base.property, negated: true }
      : { kind: "not-boolean", property: base.property };
  };

  return {
    resolve,
    flagOf: (property) => flags.get(property),
    allFlags: () => [
      ...[...flags.values()].map((flag) => `--${flag}`),
      ...[...flags].filter(([name]) => booleans.has(name)).map(([, flag]) => `--no-${flag}`),
    ],
    isFlagToken(token: string): boolean {
      if (!token.startsWith("--") || token === "--") return false;
      const eq = token.indexOf("=");
      const name = token.slice(2, eq === -1 ? undefined : eq);
      if (name === JSON_FLAG) return true;
      const match = resolve(name);
      return match.kind === "property" || match.kind === "ambiguous" || match.kind === "reserved";
    },
  };
}
