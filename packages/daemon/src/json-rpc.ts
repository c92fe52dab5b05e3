/**
 * JSON-RPC 2.0 messages as a server sends them on stdout: parsed with
 * JSON.parse and checked with valibot at the envelope only (params and
 * results stay `unknown` until the method they belong to checks them).
 */
import * as v from "valibot";

/** A request or notification id. */
export type JsonRpcId = string | number;

/** A message to or from the server. */
export type JsonRpcMessage =
  | { jsonrpc: "2.0"; id: JsonRpcId; method: string; params?: Record<string, unknown> }
  | { jsonrpc: "2.0"; method: string; params?: Record<string, unknown> }
  | { jsonrpc: "2.0"; id: JsonRpcId; result: unknown }
  | {
      jsonrpc: "2.0";
      id: JsonRpcId | null;
      error: { code: number; message: string; data?: unknown };
    };

/** What one line from the server turned out to be. */
export type IncomingMessage =
  | { kind: "request"; id: JsonRpcId; method: string; params: Record<string, unknown> }
  | { kind: "notification"; method: string; params: Record<string, unknown> }
  | { kind: "response"; id: JsonRpcId; result: unknown }
  | { kind: "error"; id: JsonRpcId | null; code: number; message: string; data?: unknown }
  /** Not a valid message; `id` when one could be read, so its request can fail at once. */
  | { kind: "invalid"; id: JsonRpcId | null; reason: string };

/** Standard and MCP error codes the daemon uses. */
export const JsonRpcErrorCode = {
  ConnectionClosed: -32000,
  RequestTimeout: -32001,
  MethodNotFound: -32601,
  InvalidParams: -32602,
} as const;

/** The server broke the protocol in its answer to one request (bad envelope or result). */
export class McpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "McpProtocolError";
  }
}

/**
 * An error answer from the server (or a timeout or closed connection of a
 * request), with the message the SDK's `McpError` would have carried.
 */
export class JsonRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(`MCP error ${code}: ${message}`);
    this.name = "JsonRpcError";
    this.code = code;
    this.data = data;
  }
}

const Id = v.union([v.string(), v.pipe(v.number(), v.safeInteger())]);
const Params = v.optional(v.record(v.string(), v.unknown()));

const RequestSchema = v.looseObject({
  jsonrpc: v.literal("2.0"),
  id: Id,
  method: v.string(),
  params: Params,
});

const NotificationSchema = v.looseObject({
  jsonrpc: v.literal("2.0"),
  method: v.string(),
  params: Params,
});

const ResponseSchema = v.looseObject({
  jsonrpc: v.literal("2.0"),
  id: Id,
  result: v.unknown(),
});

const ErrorSchema = v.looseObject({
  jsonrpc: v.literal("2.0"),
  id: v.nullable(Id),
  error: v.looseObject({
    code: v.pipe(v.number(), v.integer()),
    message: v.string(),
    data: v.optional(v.unknown()),
  }),
});

function readableId(value: Record<string, unknown>): JsonRpcId | null {
  const id = value.id;
  return typeof id === "string" || (typeof id === "number" && Number.isSafeInteger(id)) ? id : null;
}

/** The first issue of a failed valibot check, in one line. */
export function firstIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  return (v.summarize(issues as [v.BaseIssue<unknown>]).split("\n")[0] ?? "invalid").slice(0, 200);
}

function emptyParams(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/**
 * Parses one line from the server. Never throws: junk, batches and bad
 * envelopes come back as `invalid` (with the id, when one was readable).
 */
export function parseMessage(line: string): IncomingMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: "invalid", id: null, reason: "not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { kind: "invalid", id: null, reason: "not a JSON-RPC object" };
  }
  const object = value as Record<string, unknown>;
  const id = readableId(object);
  if ("method" in object) {
    const schema = "id" in object ? RequestSchema : NotificationSchema;
    const parsed = v.safeParse(schema, object);
    if (!parsed.success) return { kind: "invalid", id, reason: firstIssue(parsed.issues) };
    const params = parsed.output.params ?? emptyParams();
    return "id" in parsed.output
      ? { kind: "request", id: parsed.output.id as JsonRpcId, method: parsed.output.method, params }
      : { kind: "notification", method: parsed.output.method, params };
  }
  if ("error" in object) {
    const parsed = v.safeParse(ErrorSchema, object);
    if (!parsed.success) return { kind: "invalid", id, reason: firstIssue(parsed.issues) };
    const { code, message, data } = parsed.output.error;
    return { kind: "error", id: parsed.output.id, code, message, data };
  }
  if ("result" in object) {
    const parsed = v.safeParse(ResponseSchema, object);
    if (!parsed.success) return { kind: "invalid", id, reason: firstIssue(parsed.issues) };
    return { kind: "response", id: parsed.output.id, result: parsed.output.result };
  }
  return { kind: "invalid", id, reason: "neither a request, a notification nor a response" };
}

/** One message as a line for the server's stdin. */
export function serializeMessage(message: JsonRpcMessage): string {
  return `${JSON.stringify(message)}\n`;
}
