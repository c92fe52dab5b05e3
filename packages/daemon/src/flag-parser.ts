/**
 * Parses the tokens after a tool name into the tool's arguments, guided by
 * its `inputSchema`. Grammar (DESIGN.md §3):
 *
 * - `--key value`, `--key=value`; names match exactly or as a kebab/snake/camel
 *   variant (`--max-results` ≡ `max_results` ≡ `maxResults`).
 * - booleans: `--flag`, `--no-flag`, `--flag=true|false`, and `--flag true|false`
 *   (the next token is taken only when it is literally `true` or `false`).
 * - after a space, the next token is the value unless it is one of this tool's
 *   flags (or `--json`): `--text -x` and `--n -3` work; `--text --count 3`
 *   is "--text needs a value"; write `--text=--count` for such a value.
 * - arrays: repeat the flag (`--tag a --tag b`) or pass one JSON array;
 *   objects: JSON. A scalar flag given twice is an error.
 * - `--key @path` reads the value from a file relative to the caller's cwd
 *   (used as is for string values, trimmed for other types); `@@text` is
 *   the literal `@text`; a lone `@` is itself.
 * - `--json '{…}'` passes all arguments at once; flags override its keys
 *   wherever they stand. Its keys are passed as they are (not matched to
 *   flags), without prototype keys.
 * - schema defaults are not filled in: the server applies its own.
 */

import { isPrototypeKey, McpwardError } from "@mcpward/core";
import { buildFlagIndex, type FlagIndex, JSON_FLAG } from "./flag-names.js";
import {
  coerceValue,
  type Fail,
  type FileText,
  type FlagParserIo,
  parseJsonText,
  readValueText,
} from "./flag-value.js";
import { type JsonSchema, requiredNames, schemaKind, schemaProperties } from "./schema-types.js";
import { suggest } from "./tool-name.js";
import { placeholder, renderUsageLine, shellQuote } from "./tool-usage.js";

/** The parts of an MCP tool that flag parsing reads. */
export interface ParsableTool {
  readonly name: string;
  readonly inputSchema: unknown;
}

export type { FlagParserIo };

type FlagErrorCode = "USAGE" | "UNKNOWN_FLAG" | "MISSING_ARGUMENT" | "INVALID_ARGUMENT";

/** What parsing needs from one input schema, built once per schema object. */
interface SchemaView {
  properties: Array<[string, JsonSchema]>;
  schemas: Map<string, JsonSchema>;
  index: FlagIndex;
  required: string[];
}

/**
 * Views by input schema object. A tool list from the server is replaced (new
 * objects) when the server says it changed, so entries never go stale and
 * are dropped with the old list.
 */
const views = new WeakMap<object, SchemaView>();

function viewOf(inputSchema: unknown): SchemaView {
  const cached =
    typeof inputSchema === "object" && inputSchema !== null ? views.get(inputSchema) : undefined;
  if (cached) return cached;
  const properties = schemaProperties(inputSchema);
  const view: SchemaView = {
    properties,
    schemas: new Map(properties),
    index: buildFlagIndex(properties),
    required: requiredNames(inputSchema),
  };
  if (typeof inputSchema === "object" && inputSchema !== null) views.set(inputSchema, view);
  return view;
}

/** User text in a message: quoted, control characters escaped, cut to ~60 characters. */
function show(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** A flag as typed, safe to print on one line. */
function showFlag(name: string): string {
  const flag = `--${name}`;
  return /^[\p{L}\p{N}_.:/-]{1,62}$/u.test(flag) ? flag : show(flag);
}

/**
 * Parses `tokens` (what followed the tool name, without the CLI's `--`)
 * into a null-prototype arguments object for `tools/call`.
 *
 * @throws McpwardError `UNKNOWN_FLAG` (with a "did you mean"),
 *   `MISSING_ARGUMENT` (names every missing required flag), `INVALID_ARGUMENT`
 *   (a value that does not fit its type) or `USAGE` (other grammar
 *   mistakes); each with `data.usage`, the tool's one-line usage.
 */
export function parseToolArguments(
  tokens: readonly string[],
  tool: ParsableTool,
  io: FlagParserIo,
): Record<string, unknown> {
  const { properties, schemas, index, required } = viewOf(tool.inputSchema);

  const fail = (
    code: FlagErrorCode,
    message: string,
    data: Record<string, unknown> = {},
  ): never => {
    throw new McpwardError(code, `${message} (see: mcpward ${shellQuote(tool.name)} --help)`, {
      data: { ...data, tool: tool.name, usage: renderUsageLine(tool) },
    });
  };
  const flagText = (property: string): string => {
    const flag = index.flagOf(property);
    if (flag !== undefined) return `--${flag}`;
    return `${show(property)} (${isPrototypeKey(property) ? "cannot be passed" : "only inside --json"})`;
  };

  /** The property a flag name means, and whether it was the `--no-` form. */
  const lookup = (name: string): { property: string; negated: boolean } => {
    const match = index.resolve(name);
    const unknown = (why: string, data: Record<string, unknown> = {}): never =>
      fail(
        "UNKNOWN_FLAG",
        `${match.kind === "none" ? "unknown flag " : "flag "}${showFlag(name)}${why}`,
        {
          ...data,
          flag: name,
        },
      );
    switch (match.kind) {
      case "property":
        return match;
      case "reserved":
        return match.property === JSON_FLAG
          ? unknown(` is taken by --json; pass this argument inside it: --json '{"json": …}'`)
          : unknown(
              ` is refused: ${show(match.property)} is a reserved JavaScript name; remove it`,
            );
      case "ambiguous":
        return unknown(
          ` matches several parameters (${match.properties.map(flagText).join(", ")}); type one exactly`,
        );
      case "not-boolean": {
        const flag = flagText(match.property);
        return unknown(
          ` is unknown: ${flag} is not a boolean, so it has no --no- form; give ${flag} a value`,
          {
            suggestions: [flag],
          },
        );
      }
      default: {
        const suggestions = suggest(`--${name}`, index.allFlags());
        const plain = properties.flatMap(([p]) =>
          index.flagOf(p) === undefined ? [] : [`--${index.flagOf(p)}`],
        );
        const hint =
          suggestions.length > 0
            ? `did you mean ${suggestions.join(" or ")}?`
            : plain.length === 0
              ? `${tool.name} takes no flags`
              : `its flags are ${plain.slice(0, 8).join(", ")}${plain.length > 8 ? ", …" : ""}`;
        return unknown(`; ${hint}`, { suggestions });
      }
    }
  };

  const readAt = (name: string, raw: string, schema: unknown): FileText =>
    readValueText(raw, schema, io, (file, why) =>
      fail(
        "INVALID_ARGUMENT",
        `cannot read file ${show(file)} for ${showFlag(name)}${why}; check the path (relative to the current directory) or write @@ for a value starting with @`,
        { flag: name },
      ),
    );

  const valueFail =
    (name: string, raw: FileText): Fail =>
    (expected) =>
      fail(
        "INVALID_ARGUMENT",
        `invalid value ${raw.file === undefined ? show(raw.text) : `in file ${show(raw.file)}`} for ${showFlag(name)}: expected ${expected}`,
        { flag: name },
      );

  const given = new Map<string, unknown>();
  let jsonArguments: Record<string, unknown> | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith("--") || token === "--") {
      fail("USAGE", `unexpected argument ${show(token)}; tool flags are --name value`);
    }
    const eq = token.indexOf("=");
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : token.slice(eq + 1);
    if (name === "") fail("USAGE", `flag ${show(token)} has no name; write --name=value`);

    const takeValue = (shape: string): string => {
      if (inline !== undefined) return inline;
      const next = tokens[i + 1];
      if (next === undefined || index.isFlagToken(next)) {
        return fail("USAGE", `${showFlag(name)} needs a value: ${showFlag(name)} ${shape}`, {
          flag: name,
        });
      }
      i++;
      return next;
    };

    if (name === JSON_FLAG) {
      if (jsonArguments !== undefined)
        fail("USAGE", "--json given twice; pass all arguments in one --json object", {
          flag: name,
        });
      const raw = takeValue("'{…}'");
      if (raw === "-")
        fail(
          "USAGE",
          "--json - (standard input) is read by the mcpward CLI; pass the JSON text itself",
          { flag: name },
        );
      const text = readAt(name, raw, { type: "object" });
      const expected = `a JSON object of all arguments, e.g. '{"name": "value"}'`;
      const value = parseJsonText(text.text, expected, valueFail(name, text));
      if (typeof value !== "object" || value === null || Array.isArray(value))
        valueFail(name, text)(expected);
      jsonArguments = value as Record<string, unknown>;
      continue;
    }

    const { property, negated } = lookup(name);
    const schema = schemas.get(property);
    const kind = schemaKind(schema);
    let value: unknown;
    if (negated) {
      if (inline !== undefined)
        fail(
          "USAGE",
          `${showFlag(name)} takes no value; write ${showFlag(name)} or --${index.flagOf(property)}=false`,
          { flag: name },
        );
      value = false;
    } else if (kind === "boolean" && inline === undefined) {
      const next = tokens[i + 1];
      value = next === "true" || next === "false" ? next === "true" : true;
      if (next === "true" || next === "false") i++;
    } else {
      const raw = readAt(name, takeValue(placeholder(schema)), schema);
      value = coerceValue(raw.text, schema, valueFail(name, raw));
    }

    if (kind === "array") {
      const previous = given.get(property);
      given.set(property, [...(Array.isArray(previous) ? previous : []), ...(value as unknown[])]);
    } else if (given.has(property)) {
      fail("USAGE", `${flagText(property)} given twice; pass it once`, { flag: name });
    } else {
      given.set(property, value);
    }
  }

  const result: Record<string, unknown> = Object.create(null);
  if (jsonArguments !== undefined) {
    for (const key of Object.keys(jsonArguments)) {
      if (!isPrototypeKey(key)) result[key] = jsonArguments[key];
    }
  }
  for (const [property, value] of given) result[property] = value;

  const missing = required.filter((name) => !Object.hasOwn(result, name));
  if (missing.length > 0) {
    const flags = missing.map(flagText);
    fail(
      "MISSING_ARGUMENT",
      `missing required ${flags.length === 1 ? "flag" : "flags"} ${flags.join(", ")}; add ${flags.length === 1 ? "it" : "them"}`,
      { missing },
    );
  }
  return result;
}
