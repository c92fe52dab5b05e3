import { stripTerminalEscapes } from "@mcpward/core/light";
import { looksLikeJsonDocument, reindentJson } from "./json-text.js";

/** An image, audio clip or binary resource from a tool result. */
export interface BinaryItem {
  /** The content item's type. */
  type: "image" | "audio" | "resource";
  /** Base64 data as the server sent it. */
  data: string;
  mimeType: string | undefined;
  /** The resource's URI, for binary resources. */
  uri: string | undefined;
  /** Position of the item in `content`, from 0. */
  index: number;
}

/** Options of {@link formatResult}. */
export interface FormatOptions {
  /** Print the whole MCP result as JSON. */
  raw?: boolean;
  /**
   * Output goes to a terminal: JSON pretty-printed and terminal escapes
   * stripped. Otherwise JSON is compact and text is left as the server sent it.
   */
  tty?: boolean;
  /**
   * Stores binary content and returns the line to print for it (the CLI
   * writes a private temp file and returns its path). Default: a short
   * description such as `[image image/png, 95 bytes]`.
   */
  saveBinary?: (item: BinaryItem) => string;
}

/** An MCP `CallToolResult`, as loosely as it may arrive. */
export type ToolResult = Record<string, unknown>;

function describeBinary(item: BinaryItem): string {
  const bytes = Math.floor((item.data.replace(/=+$/, "").length * 3) / 4);
  return `[${item.type}${item.mimeType ? ` ${item.mimeType}` : ""}, ${bytes} bytes]`;
}

function formatText(text: string, tty: boolean): string {
  return looksLikeJsonDocument(text) ? reindentJson(text, tty ? 2 : 0) : text;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The printable form of one content item. */
function formatItem(
  raw: unknown,
  index: number,
  tty: boolean,
  save: (item: BinaryItem) => string,
): string {
  const item = asRecord(raw);
  if (item === undefined) return JSON.stringify(raw);
  switch (item.type) {
    case "text":
      return formatText(str(item.text) ?? "", tty);
    case "image":
    case "audio":
      return save({
        type: item.type,
        data: str(item.data) ?? "",
        mimeType: str(item.mimeType),
        uri: undefined,
        index,
      });
    case "resource": {
      const resource = asRecord(item.resource) ?? {};
      const text = str(resource.text);
      if (text !== undefined) return formatText(text, tty);
      const blob = str(resource.blob);
      if (blob !== undefined) {
        return save({
          type: "resource",
          data: blob,
          mimeType: str(resource.mimeType),
          uri: str(resource.uri),
          index,
        });
      }
      return str(resource.uri) ?? JSON.stringify(item);
    }
    case "resource_link":
      return str(item.uri) ?? JSON.stringify(item);
    default:
      return JSON.stringify(item);
  }
}

/**
 * Renders a tool result the way the CLI prints it (DESIGN.md §3):
 * `structuredContent` as JSON when present (unless the result is an
 * error), else the text content joined by newlines, JSON text re-indented
 * (pretty on a terminal, compact otherwise), binary content through
 * `saveBinary`; with `raw`, the whole result as JSON. On a terminal, escape
 * sequences are removed. A non-empty result ends with a newline.
 *
 * @param result - the MCP `CallToolResult`
 * @returns the text to print (empty for an empty result)
 */
export function formatResult(result: ToolResult, options: FormatOptions = {}): string {
  const tty = options.tty === true;
  let text: string;
  if (options.raw) {
    text = JSON.stringify(result, null, tty ? 2 : undefined);
  } else if (result.structuredContent !== undefined && result.isError !== true) {
    text = JSON.stringify(result.structuredContent, null, tty ? 2 : undefined);
  } else {
    const content = Array.isArray(result.content) ? result.content : [];
    const save = options.saveBinary ?? describeBinary;
    text = content.map((item, index) => formatItem(item, index, tty, save)).join("\n");
  }
  if (tty) text = stripTerminalEscapes(text);
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}
