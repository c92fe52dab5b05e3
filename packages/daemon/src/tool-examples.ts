/**
 * Generated example calls for tool help: real flag names with plausible
 * placeholder values that fit each schema (enums take their first member).
 */

import type { FlagIndex } from "./flag-names.js";
import { isReservedProperty } from "./flag-names.js";
import {
  itemSchema,
  type JsonSchema,
  requiredNames,
  resolveSchema,
  schemaChoices,
  schemaKind,
  schemaProperties,
  schemaText,
} from "./schema-types.js";

/** The tool fields examples read. */
interface ExampleTool {
  readonly name: string;
  readonly inputSchema: unknown;
}

const STRING_BY_FORMAT = new Map([
  ["uri", "https://example.com"],
  ["url", "https://example.com"],
  ["email", "user@example.com"],
  ["date", "2025-01-31"],
  ["date-time", "2025-01-31T12:00:00Z"],
  ["uuid", "123e4567-e89b-12d3-a456-426614174000"],
]);

const STRING_BY_NAME: Array<[RegExp, string]> = [
  [/url|uri|link|endpoint/i, "https://example.com"],
  [/dir|folder/i, "./src"],
  [/path|file/i, "./notes.txt"],
  [/mail/i, "user@example.com"],
  [/query|search|prompt|question/i, "search terms"],
  [/text|message|content|body/i, "hello world"],
  [/(^|_|-)id$|Id$/, "abc123"],
];

function clamp(value: number, schema: JsonSchema): number {
  const { minimum, maximum } = resolveSchema(schema);
  let result = value;
  if (typeof minimum === "number" && result < minimum) result = minimum;
  if (typeof maximum === "number" && result > maximum) result = maximum;
  return result;
}

/** A plausible value of the right type for a property. */
function exampleValue(name: string, schema: JsonSchema, depth = 0): unknown {
  const choices = schemaChoices(schema);
  if (choices !== undefined) return choices[0];
  switch (schemaKind(schema)) {
    case "integer":
      return Math.ceil(clamp(3, schema));
    case "number":
      return clamp(1.5, schema);
    case "boolean":
      return true;
    case "null":
      return null;
    case "array":
      return [exampleValue(name, itemSchema(schema), depth + 1)];
    case "object": {
      const first = schemaProperties(schema).find(([key]) => !isReservedProperty(key));
      if (first === undefined || depth > 2) return { key: "value" };
      return Object.fromEntries([[first[0], exampleValue(first[0], first[1], depth + 1)]]);
    }
    case "unknown":
      return "value";
    default: {
      const format = schemaText(schema, "format");
      const byFormat = format === undefined ? undefined : STRING_BY_FORMAT.get(format);
      if (byFormat !== undefined) return byFormat;
      return STRING_BY_NAME.find(([pattern]) => pattern.test(name))?.[1] ?? "example";
    }
  }
}

/** The properties shown in examples: required ones, then the first optional ones. */
function pick(tool: ExampleTool): {
  required: Array<[string, JsonSchema]>;
  optional: Array<[string, JsonSchema]>;
} {
  const properties = schemaProperties(tool.inputSchema).filter(
    ([name]) => !isReservedProperty(name),
  );
  const required = new Set(requiredNames(tool.inputSchema));
  return {
    required: properties.filter(([name]) => required.has(name)),
    optional: properties.filter(([name]) => !required.has(name)),
  };
}

/** Example arguments as one JSON object (required properties, or the first one). */
export function exampleArguments(tool: ExampleTool): Record<string, unknown> {
  const { required, optional } = pick(tool);
  const chosen = required.length > 0 ? required : optional.slice(0, 1);
  if (chosen.length === 0) return { name: "value" };
  return Object.fromEntries(chosen.map(([name, schema]) => [name, exampleValue(name, schema)]));
}

/** Command-line text of a value: strings as is, everything else as JSON. */
function valueText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * One or two example argument lists (tokens, shell-quoted with `quote`):
 * the required flags, then the required flags with up to two optional ones.
 */
export function exampleTokens(
  tool: ExampleTool,
  index: FlagIndex,
  quote: (word: string) => string,
): string[][] {
  const { required, optional } = pick(tool);
  const render = (properties: Array<[string, JsonSchema]>): string[] =>
    properties.flatMap(([name, schema]) => {
      const flag = `--${quote(index.flagOf(name) ?? name)}`;
      const value = exampleValue(name, schema);
      if (schemaKind(schema) === "boolean" && value === true) return [flag];
      const values = schemaKind(schema) === "array" && Array.isArray(value) ? value : [value];
      return values.flatMap((item) => [flag, quote(valueText(item))]);
    });
  const first = required.length > 0 ? required : optional.slice(0, 1);
  const examples = [render(first)];
  if (required.length > 0 && optional.length > 0) {
    examples.push(render([...required, ...optional.slice(0, 2)]));
  } else if (optional.length > 1) {
    examples.push(render(optional.slice(0, 2)));
  }
  return examples;
}
