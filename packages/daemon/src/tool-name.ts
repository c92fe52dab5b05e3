/**
 * Matching user-typed names (tools, flags) against the names a server
 * declares: exact first, then by kebab/snake/camel variant, and "did you
 * mean" suggestions by edit distance. Names are only ever compared or used as
 * Map keys, never as object keys, so `__proto__` or `constructor` is just text.
 */

import { editDistance, McpwardError } from "@mcpward/core";

/**
 * The form in which name variants compare equal: lower case without `-` or
 * `_`, so `get-weather`, `get_weather`, `getWeather` and `GetWeather` all
 * become `getweather`. Also used for flag names.
 */
export function normaliseToolName(name: string): string {
  return name.replace(/[-_]/g, "").toLowerCase();
}

/** Longest word compared; beyond this a suggestion is noise and the table big. */
const MAX_COMPARED = 64;

/**
 * Up to three candidates close to `word`, best first, for a "did you mean".
 * Names are compared in {@link normaliseToolName} form; a candidate counts
 * when its distance is at most 1 for words up to 4 characters, 2 up to 8 and
 * 3 beyond, or when it starts with a word of 3 or more characters
 * (`--max` suggests `--max-results`).
 *
 * @returns the matching candidates as given, without duplicates
 */
export function suggest(word: string, candidates: Iterable<string>): string[] {
  const target = normaliseToolName(word).slice(0, MAX_COMPARED);
  if (target.length === 0) return [];
  const limit = target.length <= 4 ? 1 : target.length <= 8 ? 2 : 3;
  const scored: Array<{ name: string; score: number }> = [];
  const seen = new Set<string>();
  for (const name of candidates) {
    if (seen.has(name)) continue;
    seen.add(name);
    const other = normaliseToolName(name);
    if (other.length > MAX_COMPARED) continue;
    const distance = editDistance(target, other);
    const prefix = target.length >= 3 && other.startsWith(target);
    if (distance <= limit || prefix) {
      scored.push({ name, score: prefix ? Math.min(distance, 1.5) : distance });
    }
  }
  scored.sort((x, y) => x.score - y.score || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return scored.slice(0, 3).map((s) => s.name);
}

/** Shows a name from a server or a user on one line, quoted and cut to 60 characters. */
function quoteName(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

/**
 * Finds the tool a user asked for: the tool whose name is exactly
 * `requested`, else the only tool whose name is a variant of it
 * (`get-weather` finds `get_weather`).
 *
 * @throws McpwardError `UNKNOWN_TOOL` when no tool matches (with up to three
 *   suggestions in the message and in `data.suggestions`) or when several
 *   tools match as variants and none exactly (`data.candidates`).
 */
export function findTool<T extends { readonly name: string }>(
  tools: readonly T[],
  requested: string,
): T {
  const exact = tools.find((tool) => tool.name === requested);
  if (exact !== undefined) return exact;
  const wanted = normaliseToolName(requested);
  const variants = tools.filter((tool) => normaliseToolName(tool.name) === wanted);
  if (variants.length === 1) return variants[0]!;
  if (variants.length > 1) {
    const names = variants.map((tool) => tool.name);
    throw new McpwardError(
      "UNKNOWN_TOOL",
      `tool name ${quoteName(requested)} is ambiguous: it matches ${names.map(quoteName).join(", ")}; type the exact name`,
      { data: { tool: requested, candidates: names } },
    );
  }
  const suggestions = suggest(
    requested,
    tools.map((tool) => tool.name),
  );
  const hint =
    suggestions.length > 0
      ? `did you mean ${suggestions.map(quoteName).join(" or ")}?`
      : "check the name";
  throw new McpwardError(
    "UNKNOWN_TOOL",
    `unknown tool ${quoteName(requested)}; ${hint} (list the tools with: mcpward --help -- <server>)`,
    { data: { tool: requested, suggestions } },
  );
}
