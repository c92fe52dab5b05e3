import { describe, expect, it } from "vitest";
import {
  describeType,
  requiredNames,
  resolveSchema,
  schemaChoices,
  schemaKind,
  schemaProperties,
} from "./schema-types.js";

describe("schemaKind", () => {
  it("reads type names and type lists, skipping null", () => {
    expect(schemaKind({ type: "integer" })).toBe("integer");
    expect(schemaKind({ type: ["null", "string"] })).toBe("string");
    expect(schemaKind({ type: ["null"] })).toBe("null");
    expect(schemaKind({ type: "nonsense" })).toBe("unknown");
    expect(schemaKind({})).toBe("unknown");
    expect(schemaKind(undefined)).toBe("unknown");
  });

  it("decides anyOf/oneOf by the first non-null branch", () => {
    expect(schemaKind({ anyOf: [{ type: "null" }, { type: "number" }] })).toBe("number");
    expect(schemaKind({ oneOf: [{ type: "boolean" }, { type: "string" }] })).toBe("boolean");
    expect(resolveSchema({ anyOf: [{ type: "null" }] })).toEqual({ anyOf: [{ type: "null" }] });
  });

  it("stops on endlessly nested anyOf", () => {
    let schema: unknown = { type: "string" };
    for (let i = 0; i < 100; i++) schema = { anyOf: [schema] };
    expect(schemaKind(schema)).toBe("unknown");
  });
});

describe("schema readers", () => {
  it("reads own properties only, tolerating junk", () => {
    expect(schemaProperties({ properties: { a: { type: "string" }, b: 3 } })).toEqual([
      ["a", { type: "string" }],
      ["b", {}],
    ]);
    expect(schemaProperties({ properties: [1, 2] })).toEqual([]);
    expect(schemaProperties(Object.create({ properties: { a: {} } }))).toEqual([]);
    const withProto = JSON.parse('{"properties": {"__proto__": {"type": "string"}}}');
    expect(schemaProperties(withProto).map(([name]) => name)).toEqual(["__proto__"]);
  });

  it("reads required names and choices", () => {
    expect(requiredNames({ required: ["a", 1, "a", "b"] })).toEqual(["a", "b"]);
    expect(requiredNames({ required: "a" })).toEqual([]);
    expect(schemaChoices({ enum: ["x", 1] })).toEqual(["x", 1]);
    expect(schemaChoices({ const: "only" })).toEqual(["only"]);
    expect(schemaChoices({ enum: [] })).toBeUndefined();
  });
});

describe("describeType", () => {
  it.each([
    [{ type: "string" }, "string"],
    [{ type: "integer" }, "integer"],
    [{ type: "number" }, "number"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "string", enum: ["a", "b", "c"] }, "one of: a|b|c"],
    [{ enum: [1, null, "x"] }, "one of: 1|null|x"],
    [{ type: "array", items: { type: "string" } }, "string[]"],
    [{ type: "array", items: { enum: ["low", "high"] } }, "(low|high)[]"],
    [{ type: "array", items: { type: "object" } }, "object[] (JSON)"],
    [{ type: "array" }, "any[]"],
    [{ type: "object" }, "object (JSON)"],
    [{ type: ["string", "null"] }, "string"],
    [{ anyOf: [{ type: "null" }, { type: "integer" }] }, "integer"],
    [{}, "any"],
  ])("describes %j as %j", (schema, text) => {
    expect(describeType(schema)).toBe(text);
  });
});
