/**
 * Plain-text help for tools: `mcpward <tool> --help` and the tool list.
 * All server-supplied text is stripped of terminal escapes and control
 * characters; nothing is coloured.
 */

import { stripTerminalEscapes } from "@mcpward/core";
import { buildFlagIndex, type FlagIndex, isReservedProperty } from "./flag-names.js";
import {
  describeType,
  type JsonSchema,
  requiredNames,
  resolveSchema,
  schemaKind,
  schemaProperties,
  schemaText,
} from "./schema-types.js";
import { exampleArguments, exampleTokens } from "./tool-examples.js";
import { renderUsageLine, shellQuote } from "./tool-usage.js";

/** The parts of an MCP tool that help reads (as in a `tools/list` result). */
export interface HelpTool {
  readonly name: string;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly inputSchema: unknown;
  readonly outputSchema?: unknown;
  readonly annotations?: unknown;
}

const WIDTH = 80;

/** Server text on one line (newlines and tabs become spaces). */
function oneLine(text: string): string {
  return stripTerminalEscapes(text).replace(/\s+/g, " ").trim();
}

/**
 * Wraps text at {@link WIDTH}, keeping the text's own line breaks; lines
 * start with `indent`, and lines broken by wrapping with `hanging`.
 */
function wrap(text: string, indent: string, hanging = indent): string[] {
  const lines: string[] = [];
  for (const paragraph of stripTerminalEscapes(text).trim().split("\n")) {
    let prefix = indent;
    let line = "";
    for (const word of paragraph.trim().split(/\s+/)) {
      if (line !== "" && prefix.length + line.length + 1 + word.length > WIDTH) {
        lines.push(prefix + line);
        prefix = hanging;
        line = word;
      } else {
        line = line === "" ? word : `${line} ${word}`;
      }
    }
    lines.push(line === "" ? "" : prefix + line);
  }
  return lines;
}

/** "required", "optional", or "default: 1", plus the range if any. */
function status(schema: JsonSchema, required: boolean): string {
  const resolved = resolveSchema(schema);
  const parts = [required ? "required" : "optional"];
  if (!required && Object.hasOwn(schema, "default")) {
    parts[0] = `default: ${oneLine(JSON.stringify(schema.default) ?? "")}`;
  }
  if (typeof resolved.minimum === "number") parts.push(`min ${resolved.minimum}`);
  if (typeof resolved.maximum === "number") parts.push(`max ${resolved.maximum}`);
  return parts.join(", ");
}

/** Pads each row's columns to the widest cell (capped), leaving the last cell as is. */
function table(rows: string[][], indent: string): string[] {
  const widths =
    rows[0]?.map((_, column) =>
      Math.min(28, Math.max(...rows.map((row) => row[column]!.length))),
    ) ?? [];
  return rows.map((row) =>
    (
      indent +
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join("  ")
    ).trimEnd(),
  );
}

function notes(
  tool: HelpTool,
  index: FlagIndex,
  properties: Array<[string, JsonSchema]>,
): string[] {
  const first = (kind: string): string | undefined => {
    const found = properties.find(
      ([name, schema]) => index.flagOf(name) !== undefined && schemaKind(schema) === kind,
    );
    return found === undefined ? undefined : `--${oneLine(index.flagOf(found[0])!)}`;
  };
  const lines: string[] = [];
  const array = first("array");
  if (array)
    lines.push(
      `Arrays: repeat the flag (${array} a ${array} b) or pass one JSON array (${array} '["a","b"]').`,
    );
  const object = first("object");
  if (object) lines.push(`Objects: pass JSON (${object} '{"key": "value"}').`);
  const boolean = first("boolean");
  if (boolean)
    lines.push(
      `Booleans: ${boolean} sets true; ${boolean.replace("--", "--no-")} or ${boolean}=false sets false.`,
    );
  lines.push(
    'Files: --<flag> @path reads the value from a file (relative to the current directory); write @@text for a value that starts with "@".',
  );
  lines.push(
    `All at once: --json ${shellQuote(JSON.stringify(exampleArguments(tool)))} passes every argument as one JSON object; flags given as well override its keys.`,
  );
  const hidden = properties
    .filter(([name]) => isReservedProperty(name))
    .map(([name]) => JSON.stringify(oneLine(name)));
  if (hidden.length > 0)
    lines.push(`Only inside --json (no flag of their own): ${hidden.join(", ")}.`);
  return lines.flatMap((line) => wrap(line, "  ", "    "));
}

function outputSummary(outputSchema: unknown): string | undefined {
  if (typeof outputSchema !== "object" || outputSchema === null) return undefined;
  const fields = schemaProperties(outputSchema).map(
    ([name, schema]) => `${oneLine(name)} (${describeType(schema)})`,
  );
  return fields.length === 0 ? describeType(outputSchema) : `object with ${fields.join(", ")}`;
}

function hints(annotations: unknown): string[] {
  if (typeof annotations !== "object" || annotations === null) return [];
  const get = (key: string): unknown =>
    Object.hasOwn(annotations, key) ? (annotations as Record<string, unknown>)[key] : undefined;
  const found: string[] = [];
  if (get("readOnlyHint") === true) found.push("read-only");
  if (get("destructiveHint") === true) found.push("destructive");
  if (get("destructiveHint") === false) found.push("not destructive");
  if (get("idempotentHint") === true) found.push("idempotent");
  if (get("openWorldHint") === true) found.push("reaches outside systems (open world)");
  return found;
}

/**
 * The full help of one tool: title, usage, description, a table of flags
 * (type, required or default, range, description), notes on arrays, objects,
 * booleans, `@file` and `--json`, the output schema, the server's hints and
 * generated examples.
 *
 * @param serverLabel - how the server is shown after `--` (already quoted for a shell)
 */
export function renderToolHelp(tool: HelpTool, serverLabel: string): string {
  const properties = schemaProperties(tool.inputSchema);
  const index = buildFlagIndex(properties);
  const required = new Set(requiredNames(tool.inputSchema));
  const server = stripTerminalEscapes(serverLabel);
  const lines: string[] = [];
  const title = oneLine(tool.title ?? schemaText(tool.annotations, "title") ?? "");
  lines.push(
    title !== "" && title !== tool.name ? `${oneLine(tool.name)}: ${title}` : oneLine(tool.name),
  );
  lines.push(`${renderUsageLine(tool)} -- ${server}`, "");
  if (tool.description !== undefined && oneLine(tool.description) !== "")
    lines.push(...wrap(tool.description, ""), "");

  const shown = properties.filter(([name]) => index.flagOf(name) !== undefined);
  if (shown.length === 0) lines.push("This tool takes no flags.", "");
  if (shown.length > 0) {
    lines.push("Flags:");
    const rows = shown.map(([name, schema]) => [
      `--${oneLine(index.flagOf(name)!)}`,
      oneLine(describeType(schema)),
      status(schema, required.has(name)),
    ]);
    const rendered = table(rows, "  ");
    shown.forEach(([, schema], i) => {
      lines.push(rendered[i]!);
      const description = schemaText(schema, "description");
      if (description !== undefined && oneLine(description) !== "")
        lines.push(...wrap(description, "      "));
    });
    lines.push("");
  }
  if (properties.length > 0) lines.push("Notes:", ...notes(tool, index, properties), "");

  const output = outputSummary(tool.outputSchema);
  if (output !== undefined) lines.push(...wrap(`Output (structured): ${output}`, ""), "");
  const found = hints(tool.annotations);
  if (found.length > 0)
    lines.push(`Hints from the server (not verified): ${found.join(", ")}.`, "");

  lines.push("Examples:");
  for (const tokens of exampleTokens(tool, index, shellQuote)) {
    lines.push(`  ${["mcpward", shellQuote(tool.name), ...tokens, "--", server].join(" ")}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The first sentence of a description, on one line. */
function firstSentence(description: string | undefined): string {
  const text =
    stripTerminalEscapes(description ?? "")
      .trim()
      .split(/\n\s*\n|\n/)[0] ?? "";
  // A sentence ends at . ! or ? before a capital or the end, so "e.g. this" does not end it.
  const match = /^.*?[.!?](?=\s+[^a-z\s]|\s*$)/.exec(text);
  return oneLine(match?.[0] ?? text);
}

/**
 * One line per tool: the name and the first sentence of its description,
 * aligned, under a heading naming the server.
 */
export function renderToolList(tools: readonly HelpTool[], serverLabel: string): string {
  const server = stripTerminalEscapes(serverLabel);
  if (tools.length === 0) return `No tools on ${server}.\n`;
  const names = tools.map((tool) => oneLine(tool.name));
  const width = Math.min(28, Math.max(...names.map((name) => name.length)));
  const lines = tools.map((tool, i) => {
    const name = names[i]!.padEnd(width);
    const room = Math.max(30, WIDTH - 4 - name.length);
    const sentence = firstSentence(tool.description);
    const text = sentence.length > room ? `${sentence.slice(0, room - 1)}…` : sentence;
    return `  ${name}  ${text}`.trimEnd();
  });
  return [
    `Tools on ${server}:`,
    ...lines,
    "",
    `Details: mcpward <tool> --help -- ${server}`,
    "",
  ].join("\n");
}
