/**
 * The subset of JSON Schema that flag parsing and help rendering read, and
 * small readers that tolerate malformed schemas (a server's `inputSchema` is
 * untrusted input: any field may be missing or of the wrong shape).
 */

/** The primitive type names of JSON Schema. */
export type JsonTypeName =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "object"
  | "array"
  | "null";

/** The JSON Schema keywords mcpward reads; everything else is ignored. */
export interface JsonSchema {
  type?: JsonTypeName | readonly JsonTypeName[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  items?: JsonSchema;
  format?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: readonly JsonSchema[];
  oneOf?: readonly JsonSchema[];
}

/** How a value is parsed: a JSON type, or `unknown` when the schema names none. */
export type SchemaKind = JsonTypeName | "unknown";

const KINDS: ReadonlySet<string> = new Set([
  "string",
  "number",
  "integer",
  "boolean",
  "object",
  "array",
  "null",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own field of an untrusted record, never read through the prototype chain. */
function own(record: object, key: string): unknown {
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

/** True when a branch only admits `null`. */
function isNullOnly(schema: unknown): boolean {
  if (!isRecord(schema)) return false;
  const type = own(schema, "type");
  return (
    type === "null" || (Array.isArray(type) && type.length > 0 && type.every((t) => t === "null"))
  );
}

/**
 * The schema that decides how a value is parsed: for `anyOf`/`oneOf`
 * without a `type` of their own, the first branch that is not `null`-only.
 * Non-objects become `{}` (accept anything).
 */
export function resolveSchema(schema: unknown): JsonSchema {
  let current: unknown = schema;
  // Bounded: a schema is untrusted and could nest anyOf without end.
  for (let depth = 0; depth < 16; depth++) {
    if (!isRecord(current)) return {};
    if (own(current, "type") !== undefined) return current as JsonSchema;
    const branches = own(current, "anyOf") ?? own(current, "oneOf");
    if (!Array.isArray(branches)) return current as JsonSchema;
    const branch = branches.find((b) => !isNullOnly(b));
    if (branch === undefined) return current as JsonSchema;
    current = branch;
  }
  return {};
}

/**
 * The kind of value a schema asks for. A type list picks its first
 * non-`null` member (`["string", "null"]` is a string); unknown type names
 * and missing types give `unknown`.
 */
export function schemaKind(schema: unknown): SchemaKind {
  const resolved = resolveSchema(schema);
  const type = own(resolved, "type");
  const names = Array.isArray(type) ? type : [type];
  const first = names.find((t) => t !== "null") ?? names[0];
  return typeof first === "string" && KINDS.has(first) ? (first as SchemaKind) : "unknown";
}

/** The allowed values (`enum`, or `[const]`), or undefined when any value of the kind goes. */
export function schemaChoices(schema: unknown): readonly unknown[] | undefined {
  const resolved = resolveSchema(schema);
  const values = own(resolved, "enum");
  if (Array.isArray(values) && values.length > 0) return values;
  if (Object.hasOwn(resolved, "const")) return [own(resolved, "const")];
  return undefined;
}

/** The item schema of an array schema (`{}` when absent or in tuple form). */
export function itemSchema(schema: unknown): JsonSchema {
  const items = own(resolveSchema(schema), "items");
  return isRecord(items) ? (items as JsonSchema) : {};
}

/** The declared properties as `[name, schema]` pairs, in schema order. */
export function schemaProperties(schema: unknown): Array<[string, JsonSchema]> {
  const properties = own(resolveSchema(schema), "properties");
  if (!isRecord(properties)) return [];
  return Object.keys(properties).map((name) => {
    const value = own(properties, name);
    return [name, isRecord(value) ? (value as JsonSchema) : {}];
  });
}

/** The names listed in `required` that are strings (duplicates removed). */
export function requiredNames(schema: unknown): string[] {
  const required = own(resolveSchema(schema), "required");
  if (!Array.isArray(required)) return [];
  return [...new Set(required.filter((r): r is string => typeof r === "string"))];
}

/** A string field of a schema (`description`, `title`, `format`), if it is a string. */
export function schemaText(
  schema: unknown,
  key: "description" | "title" | "format",
): string | undefined {
  if (!isRecord(schema)) return undefined;
  const direct = own(schema, key);
  if (typeof direct === "string") return direct;
  const fallback = own(resolveSchema(schema), key);
  return typeof fallback === "string" ? fallback : undefined;
}

/** How an enum member is shown to users: strings bare, anything else as JSON. */
export function choiceText(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * A short human name for the type a schema asks for: `string`, `integer`,
 * `number`, `boolean`, `one of: a|b|c`, `string[]`, `(a|b)[]`,
 * `object (JSON)`, `null`, or `any`.
 */
export function describeType(schema: unknown): string {
  const choices = schemaChoices(schema);
  if (choices !== undefined) return `one of: ${choices.map(choiceText).join("|")}`;
  const kind = schemaKind(schema);
  switch (kind) {
    case "array": {
      const items = itemSchema(schema);
      const itemChoices = schemaChoices(items);
      if (itemChoices !== undefined) return `(${itemChoices.map(choiceText).join("|")})[]`;
      const itemKind = schemaKind(items);
      if (itemKind === "object") return "object[] (JSON)";
      if (itemKind === "array") return "array[] (JSON)";
      return itemKind === "unknown" ? "any[]" : `${itemKind}[]`;
    }
    case "object":
      return "object (JSON)";
    case "unknown":
      return "any";
    default:
      return kind;
  }
}
