/**
 * One-line config errors: the file, the JSON path (`servers.github.env.TOKEN`),
 * what is wrong and how to fix it. Messages name keys but never repeat values,
 * since a value may be a secret.
 */

import { editDistance, McpwardError } from "@mcpward/core";
import type * as v from "valibot";
import { knownKeysAt } from "./config-schema.js";

/** A location inside a JSON document: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** Which config file is being read: they differ in the keys they allow. */
export type ConfigKind = "project" | "user";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `servers.github.env.TOKEN`, `args[2]`, `servers["my.server"]`; `(top level)` for `[]`. */
export function formatJsonPath(path: JsonPath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (IDENTIFIER.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out === "" ? "(top level)" : out;
}

/**
 * The error for a bad config file.
 *
 * @param problem - what is wrong, without any value from the file
 * @param fix - what to do about it
 */
export function configError(
  file: string,
  path: JsonPath | null,
  problem: string,
  fix: string,
  cause?: unknown,
): McpwardError {
  const where = path === null ? file : `${file}: ${formatJsonPath(path)}`;
  return new McpwardError("BAD_CONFIG", `${where}: ${problem}; ${fix}`, {
    cause,
    data: { file, ...(path === null ? {} : { path: formatJsonPath(path) }) },
  });
}

/** The closest candidate to `word` (case-insensitive), if any is close enough. */
export function closestKey(word: string, candidates: readonly string[]): string | undefined {
  const target = word.toLowerCase().slice(0, 64);
  const limit = target.length <= 4 ? 1 : target.length <= 8 ? 2 : 3;
  let best: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const score = editDistance(target, name.toLowerCase());
    if (score <= limit && (best === undefined || score < best.score)) best = { name, score };
  }
  return best?.name;
}

const TRUST_KEY = /^trust(?:ed|[-_]?level)?$/i;
const USER_ONLY = new Set(["denyList", "defaultProfile"]);

function describeType(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "an object";
  return `a ${typeof input}`;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  Object: "an object",
  Array: "a list",
};

function unknownKey(kind: ConfigKind, file: string, path: JsonPath, key: string): McpwardError {
  if (TRUST_KEY.test(key)) {
    return kind === "project"
      ? configError(
          file,
          path,
          "a repository cannot trust itself: trust is never read from the project config",
          "remove this key; mcpward asks you before a project server first runs and keeps your answer in your own trust store",
        )
      : configError(
          file,
          path,
          "trust is not a config setting",
          "remove this key; approvals live in the trust store (trust.json), written when you answer mcpward's prompt",
        );
  }
  if (kind === "project" && path.length === 1 && USER_ONLY.has(key)) {
    return configError(
      file,
      path,
      `"${key}" can only be set in your user config`,
      "move it to config.json in your mcpward config directory",
    );
  }
  const known = knownKeysAt(kind, path.slice(0, -1));
  const guess = closestKey(key, known);
  const hint =
    guess !== undefined
      ? `did you mean "${guess}"?`
      : known.length > 0
        ? `allowed keys: ${known.join(", ")}`
        : "remove it";
  return configError(file, path, "unknown key", hint);
}

/**
 * Finds a trust claim (`trust`, `trusted`, `trustLevel`) where settings live:
 * at the top level, in a server entry, in a profile or a profile's server.
 * Checked before the schema so it is the error reported, whatever else is wrong.
 */
export function trustClaimError(
  kind: ConfigKind,
  file: string,
  data: unknown,
): McpwardError | null {
  const objects: Array<{ node: unknown; path: JsonPath }> = [{ node: data, path: [] }];
  const children = (node: unknown, key: string, path: JsonPath): void => {
    const inner = (node as Record<string, unknown>)[key];
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return;
    for (const name of Object.keys(inner)) {
      objects.push({ node: (inner as Record<string, unknown>)[name], path: [...path, key, name] });
    }
  };
  children(data, "servers", []);
  children(data, "profiles", []);
  for (const profile of objects.filter((o) => o.path[0] === "profiles")) {
    children(profile.node, "servers", profile.path);
  }
  for (const { node, path } of objects) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) continue;
    const key = Object.keys(node).find((k) => TRUST_KEY.test(k));
    if (key !== undefined) return unknownKey(kind, file, [...path, key], key);
  }
  return null;
}

/** Turns valibot issues into one error about the most telling issue. */
export function issuesToError(
  kind: ConfigKind,
  file: string,
  issues: readonly v.BaseIssue<unknown>[],
): McpwardError {
  const pathOf = (issue: v.BaseIssue<unknown>): (string | number)[] =>
    (issue.path ?? []).map((item) => item.key as string | number);
  const isUnknownKey = (issue: v.BaseIssue<unknown>): boolean =>
    issue.type === "strict_object" && issue.expected === "never";
  // An unknown key first: a missing `command` is usually a misspelt one.
  const first = issues.find(isUnknownKey) ?? issues[0];
  if (first === undefined) return configError(file, null, "is not valid", "check it");
  const path = pathOf(first);
  if (isUnknownKey(first)) return unknownKey(kind, file, path, String(path.at(-1)));
  if (first.type === "strict_object") {
    return configError(file, path, "is missing", "add it");
  }
  // Messages written in config-schema.ts say what is required; valibot's own
  // ("Invalid type: … but received <value>") would repeat a value.
  if (!first.message.startsWith("Invalid ")) {
    return configError(file, path, first.message, "fix the value");
  }
  const expected = EXPECTED[first.expected ?? ""] ?? first.expected ?? "something else";
  return configError(
    file,
    path,
    `must be ${expected}, not ${describeType(first.input)}`,
    "fix the value",
  );
}
