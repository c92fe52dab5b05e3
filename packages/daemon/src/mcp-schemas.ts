/**
 * What the daemon checks in the server's answers (valibot, at the boundary):
 * the initialize result, tools/list pages and tool call results. Only the
 * fields the daemon relies on are checked; everything else passes through
 * (the daemon sanitises results before they leave it).
 */
import * as v from "valibot";

/** The result of `initialize`. */
export const InitializeResultSchema = v.looseObject({
  protocolVersion: v.string(),
  capabilities: v.looseObject({}),
  serverInfo: v.looseObject({ name: v.string(), version: v.optional(v.string()) }),
  instructions: v.optional(v.string()),
});

const JsonSchemaObject = v.looseObject({});

/** One tool of a tools/list page (as the SDK's `ToolSchema` requires it). */
export const ToolSchema = v.looseObject({
  name: v.string(),
  title: v.optional(v.string()),
  description: v.optional(v.string()),
  inputSchema: v.looseObject({
    type: v.literal("object"),
    properties: v.optional(v.record(v.string(), JsonSchemaObject)),
    required: v.optional(v.array(v.string())),
  }),
  outputSchema: v.optional(JsonSchemaObject),
  annotations: v.optional(v.looseObject({})),
});

/** One page of `tools/list`. */
export const ToolsPageSchema = v.looseObject({
  tools: v.array(ToolSchema),
  nextCursor: v.optional(v.string()),
});

/** The result of `tools/call`: an object, its content an array when present. */
export const CallToolResultSchema = v.looseObject({
  content: v.optional(v.array(v.unknown())),
  isError: v.optional(v.boolean()),
});

/** `notifications/progress` params. */
export const ProgressSchema = v.looseObject({
  progressToken: v.union([v.string(), v.number()]),
  progress: v.number(),
  total: v.optional(v.number()),
  message: v.optional(v.string()),
});
