/**
 * The one-line usage of a tool (`usage: mcpward echo --text <string>
 * [--count <integer>]`), shown in help and carried by flag errors.
 */

import { stripTerminalEscapes } from "@mcpward/core";
import { buildFlagIndex } from "./flag-names.js";
import {
  choiceText,
  itemSchema,
  requiredNames,
  schemaChoices,
  schemaKind,
  schemaProperties,
} from "./schema-types.js";

/**
 * Quotes a word for a command line shown to the user (POSIX single quotes
 * when needed), after removing terminal escapes and control characters.
 */
export function shellQuote(word: string): string {
  const clean = stripTerminalEscapes(word).replace(/[\t\n]/g, " ");
  return /^[\w@%+=:,./-]+$/.test(clean) ? clean : `'${clean.replace(/'/g, `'\\''`)}'`;
}

/**
 * The value placeholder of a flag: `<string>`, `<fast|slow>`,
 * `<integer>...` (arrays), `<json>` (objects), `<value>` (untyped); empty
 * for a boolean, which takes none.
 */
export function placeholder(schema: unknown): string {
  const kind = schemaKind(schema);
  if (kind === "boolean") return "";
  if (kind === "array") return `${placeholder(itemSchema(schema)) || "<boolean>"}...`;
  const choices = schemaChoices(schema);
  if (choices !== undefined) {
    const text = stripTerminalEscapes(choices.map(choiceText).join("|")).replace(/\s+/g, " ");
    return text.length <= 30 ? `<${text}>` : "<choice>";
  }
  if (kind === "object") return "<json>";
  return kind === "unknown" ? "<value>" : `<${kind}>`;
}

/**
 * The one-line usage of a tool, required flags first, optional ones in
 * brackets; properties without a flag of their own are left out.
 */
export function renderUsageLine(tool: {
  readonly name: string;
  readonly inputSchema: unknown;
}): string {
  const properties = schemaProperties(tool.inputSchema);
  const index = buildFlagIndex(properties);
  const required = new Set(requiredNames(tool.inputSchema));
  const parts: string[] = [];
  for (const wantRequired of [true, false]) {
    for (const [name, schema] of properties) {
      const flag = index.flagOf(name);
      if (flag === undefined || required.has(name) !== wantRequired) continue;
      const value = placeholder(schema);
      const part = `--${shellQuote(flag)}${value === "" ? "" : ` ${value}`}`;
      parts.push(wantRequired ? part : `[${part}]`);
    }
  }
  return ["usage: mcpward", shellQuote(tool.name), ...parts].join(" ");
}
