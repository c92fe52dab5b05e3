import * as v from "valibot";

const Id = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const Hex = (length: number) => v.pipe(v.string(), v.regex(new RegExp(`^[0-9a-f]{${length}}$`)));
const ShortString = v.pipe(v.string(), v.maxLength(256));
/**
 * A JSON object with any values. `v.record` alone accepts an array and turns
 * `[1, 2]` into `{ "0": 1, "1": 2 }`, so arrays are refused first.
 */
const JsonObject = v.pipe(
  v.custom<Record<string, unknown>>(
    (input) => typeof input === "object" && input !== null && !Array.isArray(input),
    "expected a JSON object",
  ),
  v.record(v.string(), v.unknown()),
);

/** Schema of {@link ClientHello}. Unknown fields are dropped. */
export const ClientHelloSchema = v.object({
  type: v.literal("hello"),
  protocol: v.pipe(v.number(), v.integer()),
  version: ShortString,
  nonce: Hex(32),
});

/** Schema of {@link ServerHello}. */
export const ServerHelloSchema = v.object({
  type: v.literal("hello"),
  protocol: v.pipe(v.number(), v.integer()),
  version: ShortString,
  nonce: Hex(32),
  proof: Hex(64),
});

/** Schema of {@link ClientAuth}. */
export const ClientAuthSchema = v.object({
  type: v.literal("auth"),
  proof: Hex(64),
});

/** Schema of a request frame; `params` is checked per method by {@link ParamsSchemas}. */
export const RequestSchema = v.object({
  id: Id,
  method: v.picklist([
    "ping",
    "tools/list",
    "tools/help",
    "tools/call",
    "cancel",
    "approve",
    "status",
    "shutdown",
  ]),
  params: v.optional(JsonObject),
});

/** Schema of a response frame. */
export const ResponseSchema = v.object({
  id: v.nullable(Id),
  result: v.optional(v.unknown()),
  error: v.optional(
    v.object({
      code: ShortString,
      message: v.pipe(v.string(), v.maxLength(8192)),
      data: v.optional(JsonObject),
    }),
  ),
});

/** Schema of an event frame. */
export const EventSchema = v.object({
  id: Id,
  event: v.picklist(["stderr", "progress", "notice", "approval"]),
  data: v.unknown(),
});

const Seconds = v.pipe(v.number(), v.minValue(0.05), v.maxValue(7 * 86_400));
const ToolName = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

/** Parameter schemas per method. */
export const ParamsSchemas = {
  ping: v.object({}),
  "tools/list": v.object({
    approve: v.optional(v.boolean()),
    interactive: v.optional(v.boolean()),
  }),
  "tools/help": v.object({
    tool: v.optional(ToolName),
    approve: v.optional(v.boolean()),
    interactive: v.optional(v.boolean()),
  }),
  "tools/call": v.object({
    tool: ToolName,
    tokens: v.optional(v.pipe(v.array(v.string()), v.maxLength(10_000))),
    arguments: v.optional(JsonObject),
    cwd: v.optional(v.pipe(v.string(), v.maxLength(4096))),
    stderr: v.optional(v.boolean()),
    approve: v.optional(v.boolean()),
    interactive: v.optional(v.boolean()),
    clientPid: v.optional(v.pipe(v.number(), v.integer())),
    settings: v.optional(
      v.object({
        idleTimeout: v.optional(Seconds),
        toolTimeout: v.optional(Seconds),
        startupTimeout: v.optional(Seconds),
      }),
    ),
  }),
  cancel: v.object({ target: Id }),
  approve: v.object({ target: Id, answer: v.picklist(["once", "always", "deny"]) }),
  status: v.object({}),
  shutdown: v.object({}),
} as const;
