/**
 * Turning one flag's text into the JSON value its schema asks for: numbers
 * and integers checked strictly, booleans as `true`/`false`, enums by their
 * members, objects and arrays as JSON. The caller owns error wording; this
 * module only says what was expected.
 */

import { resolve } from "node:path";
import { deepSanitize, McpwardError } from "@mcpward/core";
import {
  choiceText,
  itemSchema,
  type JsonSchema,
  resolveSchema,
  schemaChoices,
  schemaKind,
} from "./schema-types.js";

/** Where `@file` values are read from. */
export interface FlagParserIo {
  /** The caller's working directory; `@path` is relative to it. */
  readonly cwd: string;
  /** Reads a file as UTF-8 text; may throw (the error becomes `INVALID_ARGUMENT`). */
  readFile(path: string): string;
}

/** A flag's text, and the file it was read from when it came from `@file`. */
export interface FileText {
  readonly text: string;
  readonly file?: string;
}

/** Called with what was expected (e.g. `integer`); throws the caller's error. */
export type Fail = (expected: string) => never;

/** Deepest JSON nesting accepted in a flag value; more is a mistake or an attack. */
const MAX_JSON_DEPTH = 64;

/** Thrown internally when untyped text only looked like JSON. */
const NOT_JSON = new Error("not JSON");

/** Most enum members named in an error message. */
const MAX_CHOICES_SHOWN = 12;

/** A plain decimal number: `3`, `-3`, `+0.5`, `.5`, `5.`, `1e3`, `1.5E-2`. No hex, no `_`, no spaces. */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when a decimal literal denotes an integer exactly (`1e3`, `1.50e1`; not `1.5`). */
function isExactInteger(match: RegExpExecArray): boolean {
  const whole = match[2] ?? "";
  const digits = (whole + (match[3] ?? "")).replace(/0+$/, "");
  if (/^0*$/.test(digits)) return true;
  return digits.length <= whole.length + Number(match[4] ?? "0");
}

/** Parses a number or integer strictly; rejects empty text, NaN, Infinity and overflow. */
function parseNumber(raw: string, integer: boolean, fail: Fail): number {
  const match = DECIMAL.exec(raw);
  const expected = integer ? "an integer, e.g. 3" : "a number, e.g. 1.5";
  if (match === null || !/\d/.test(`${match[2] ?? ""}${match[3] ?? ""}`)) return fail(expected);
  const parsed = Number(raw);
  const value = parsed === 0 ? 0 : parsed; // folds -0 into 0
  if (!Number.isFinite(value)) return fail(`${expected} (this one is too large)`);
  if (!integer) return value;
  if (!isExactInteger(match)) return fail(expected);
  // Beyond 2^53 a JSON number can no longer hold the integer exactly.
  if (!Number.isSafeInteger(value)) {
    return fail(`an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
  }
  return value;
}

/**
 * Parses JSON text and copies it without prototype keys (`__proto__`,
 * `constructor`, `prototype` are dropped at any depth) into null-prototype
 * objects, with a depth cap.
 */
export function parseJsonText(raw: string, expected: string, fail: Fail): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // The parser's message quotes the input, which may come from a secret file.
    return fail(`${expected} (this is not valid JSON)`);
  }
  try {
    return deepSanitize(parsed, { maxDepth: MAX_JSON_DEPTH });
  } catch (error) {
    if (McpwardError.isInstance(error))
      return fail(`${expected} nested at most ${MAX_JSON_DEPTH} deep`);
    throw error;
  }
}

/** The type part of a message for a schema with members: `one of: a|b|c`. */
function choicesText(choices: readonly unknown[]): string {
  const shown = choices.slice(0, MAX_CHOICES_SHOWN).map(choiceText).join("|");
  const more = choices.length - MAX_CHOICES_SHOWN;
  return `one of: ${shown}${more > 0 ? `|… (${more} more, see --help)` : ""}`;
}

/** True when the schema also admits `null` (`type: [..., "null"]`, or a null branch). */
function allowsNull(schema: unknown): boolean {
  if (!isRecord(schema)) return true;
  const type = Object.hasOwn(schema, "type") ? schema.type : undefined;
  if (type === undefined && schemaKind(schema) === "unknown") return true;
  if (type === "null" || (Array.isArray(type) && type.includes("null"))) return true;
  const branches = [schema.anyOf, schema.oneOf].filter(Array.isArray).flat();
  return branches.some((branch) => isRecord(branch) && branch.type === "null");
}

/**
 * Checks (and where it is a string, coerces) one value that arrived inside
 * JSON, e.g. an item of `--nums '[1, "2"]'`. Strings are coerced like flag
 * text; other values must already have the right type.
 */
function checkJsonValue(value: unknown, schema: JsonSchema, fail: Fail): unknown {
  const kind = schemaKind(schema);
  const choices = schemaChoices(schema);
  if (value === null && allowsNull(schema) && (choices === undefined || choices.includes(null))) {
    return null;
  }
  if (typeof value === "string" && ["number", "integer", "boolean", "null"].includes(kind)) {
    return coerceValue(value, schema, fail);
  }
  if (choices !== undefined) {
    const text = JSON.stringify(value);
    const found = choices.find((choice) => JSON.stringify(choice) === text);
    return found === undefined ? fail(choicesText(choices)) : value;
  }
  const ok =
    kind === "unknown" ||
    (kind === "string" && typeof value === "string") ||
    (kind === "number" && typeof value === "number") ||
    (kind === "integer" && Number.isSafeInteger(value)) ||
    (kind === "boolean" && typeof value === "boolean") ||
    (kind === "object" && isRecord(value)) ||
    (kind === "array" && Array.isArray(value));
  if (!ok) return fail(describeExpected(schema));
  if (kind === "array" && Array.isArray(value)) {
    const items = itemSchema(schema);
    return value.map((item) => checkJsonValue(item, items, fail));
  }
  return value;
}

/** What a schema expects, phrased for "expected …". */
function describeExpected(schema: JsonSchema): string {
  const choices = schemaChoices(schema);
  if (choices !== undefined) return choicesText(choices);
  const kind = schemaKind(schema);
  if (kind === "object") return `a JSON object, e.g. '{"key": "value"}'`;
  if (kind === "array") return `a JSON array, e.g. '["a", "b"]'`;
  if (kind === "integer") return "an integer";
  if (kind === "unknown") return "a value";
  return `a ${kind}`;
}

/**
 * Converts one flag value (text) to the value `schema` asks for.
 * Arrays take either one JSON array (text starting with `[`) or a single
 * item, returned as a one-item array, so repeated flags can be appended.
 * Schemas without a type take the text as is, unless it is a JSON object or
 * array.
 *
 * @throws whatever `fail` throws, when the text does not fit the schema
 */
export function coerceValue(raw: string, schema: unknown, fail: Fail): unknown {
  const resolved = resolveSchema(schema);
  const kind = schemaKind(resolved);
  const choices = schemaChoices(resolved);
  if (choices !== undefined && kind !== "array") {
    if (kind === "number" || kind === "integer" || kind === "boolean" || kind === "null") {
      const value = coerceValue(raw, { type: kind }, () => fail(choicesText(choices)));
      return choices.includes(value) ? value : fail(choicesText(choices));
    }
    // Members are matched by their text, so `--level 2` finds 2 in an untyped enum.
    const found = choices.find((choice) => choiceText(choice) === raw);
    return found === undefined ? fail(choicesText(choices)) : found;
  }
  switch (kind) {
    case "string":
      return raw;
    case "integer":
    case "number":
      return parseNumber(raw, kind === "integer", fail);
    case "boolean":
      if (raw === "true" || raw === "false") return raw === "true";
      return fail("true or false");
    case "null":
      return raw === "null" ? null : fail("null");
    case "object": {
      const value = parseJsonText(raw, describeExpected(resolved), fail);
      return isRecord(value) ? value : fail(describeExpected(resolved));
    }
    case "array": {
      const items = itemSchema(resolved);
      if (!raw.trimStart().startsWith("[")) return [coerceValue(raw, items, fail)];
      const value = parseJsonText(raw, describeExpected(resolved), fail);
      if (!Array.isArray(value)) return fail(describeExpected(resolved));
      return value.map((item) => checkJsonValue(item, items, fail));
    }
    default: {
      const trimmed = raw.trim();
      if (!/^[[{]/.test(trimmed)) return raw;
      // Untyped: JSON-looking text becomes JSON, anything else stays text.
      try {
        return parseJsonText(trimmed, "", () => {
          throw NOT_JSON;
        });
      } catch (error) {
        if (error === NOT_JSON) return raw;
        throw error;
      }
    }
  }
}

/** True when the schema's value is text that a file should supply byte for byte. */
function wantsExactText(schema: unknown): boolean {
  const kind = schemaKind(schema);
  if (kind === "array") return wantsExactText(itemSchema(schema));
  return kind === "string" && schemaChoices(schema) === undefined;
}

/**
 * Applies the `@file` convention to a flag's text: `@path` is the content of
 * the file (relative to `io.cwd`; kept exactly for string values, trimmed
 * for other types), `@@text` is the literal `@text`, and a lone `@` is itself.
 *
 * @param unreadable - called with the path and a reason like ` (ENOENT)`; throws
 * @throws an McpwardError from `io.readFile` unchanged
 */
export function readValueText(
  raw: string,
  schema: unknown,
  io: FlagParserIo,
  unreadable: (file: string, why: string) => never,
): FileText {
  if (raw.startsWith("@@")) return { text: raw.slice(1) };
  if (!raw.startsWith("@") || raw.length === 1) return { text: raw };
  const file = raw.slice(1);
  let content: string;
  try {
    content = io.readFile(resolve(io.cwd, file));
  } catch (error) {
    // A reader that explains itself (e.g. a size cap) keeps its own error.
    if (McpwardError.isInstance(error)) throw error;
    const code = (error as { code?: unknown } | null)?.code;
    return unreadable(file, typeof code === "string" ? ` (${code})` : "");
  }
  return { text: wantsExactText(schema) ? content : content.trim(), file };
}
