import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  ClientAuthSchema,
  ClientHelloSchema,
  EventSchema,
  ParamsSchemas,
  RequestSchema,
  ResponseSchema,
  ServerHelloSchema,
} from "./frames.js";

const NONCE = "0123456789abcdef0123456789abcdef";
const PROOF = "ab".repeat(32);

/** The parsed output, or the dot paths of the issues. */
function check(schema: v.GenericSchema, input: unknown): unknown {
  const result = v.safeParse(schema, input);
  return result.success
    ? { ok: result.output }
    : { issues: result.issues.map((issue) => v.getDotPath(issue) ?? "(root)") };
}

const rejects = (schema: v.GenericSchema, input: unknown): boolean =>
  !v.safeParse(schema, input).success;

describe("hello and auth frames", () => {
  it("rejects a client hello with a wrong type or malformed nonce", () => {
    const good = { type: "hello", protocol: 1, version: "1.0.0", nonce: NONCE };
    expect(rejects(ClientHelloSchema, { ...good, type: "auth" })).toBe(true);
    expect(rejects(ClientHelloSchema, { ...good, protocol: "1" })).toBe(true);
    expect(rejects(ClientHelloSchema, { ...good, protocol: 1.5 })).toBe(true);
    expect(rejects(ClientHelloSchema, { ...good, version: "v".repeat(257) })).toBe(true);
    expect(rejects(ClientHelloSchema, { ...good, nonce: NONCE.toUpperCase() })).toBe(true);
    expect(rejects(ClientHelloSchema, { ...good, nonce: `${NONCE}0` })).toBe(true);
    expect(rejects(ClientHelloSchema, { ...good, nonce: undefined })).toBe(true);
    expect(rejects(ClientHelloSchema, null)).toBe(true);
    expect(rejects(ClientHelloSchema, [good])).toBe(true);
  });

  it("drops unknown fields from a client hello, __proto__ included", () => {
    const input = JSON.parse(
      `{"type":"hello","protocol":1,"version":"1","nonce":"${NONCE}","extra":1,"__proto__":{"x":1}}`,
    );
    expect(check(ClientHelloSchema, input)).toEqual({
      ok: { type: "hello", protocol: 1, version: "1", nonce: NONCE },
    });
  });

  it("requires a 64-hex proof in a server hello and in auth", () => {
    const hello = { type: "hello", protocol: 1, version: "1", nonce: NONCE, proof: PROOF };
    expect(check(ServerHelloSchema, { ...hello, more: true })).toEqual({ ok: hello });
    expect(rejects(ServerHelloSchema, { ...hello, proof: PROOF.slice(2) })).toBe(true);
    expect(rejects(ServerHelloSchema, { ...hello, proof: undefined })).toBe(true);
    expect(check(ClientAuthSchema, { type: "auth", proof: PROOF, x: 1 })).toEqual({
      ok: { type: "auth", proof: PROOF },
    });
    expect(rejects(ClientAuthSchema, { type: "auth", proof: `${PROOF.slice(1)}z` })).toBe(true);
    expect(rejects(ClientAuthSchema, { type: "hello", proof: PROOF })).toBe(true);
  });
});

describe("RequestSchema", () => {
  it.each([
    ["a negative id", { id: -1, method: "ping" }],
    ["a fractional id", { id: 1.5, method: "ping" }],
    ["a string id", { id: "1", method: "ping" }],
    ["an unsafe integer id", { id: 2 ** 53, method: "ping" }],
    ["an unknown method", { id: 1, method: "tools/delete" }],
    ["a method from Object.prototype", { id: 1, method: "toString" }],
    ["array params", { id: 1, method: "ping", params: [] }],
    ["string params", { id: 1, method: "ping", params: "x" }],
  ])("rejects %s", (_, input) => {
    expect(rejects(RequestSchema, input)).toBe(true);
  });

  it("drops unknown fields and __proto__ keys inside params", () => {
    const input = JSON.parse(
      '{"id":7,"method":"tools/call","params":{"tool":"t","__proto__":{"x":1}},"jsonrpc":"2.0"}',
    );
    const result = v.parse(RequestSchema, input);
    expect(result).toEqual({ id: 7, method: "tools/call", params: { tool: "t" } });
    expect(Object.hasOwn(result.params ?? {}, "__proto__")).toBe(false);
  });

  it("accepts every documented method", () => {
    for (const method of [
      "ping",
      "tools/list",
      "tools/help",
      "tools/call",
      "cancel",
      "approve",
      "status",
      "shutdown",
    ]) {
      expect(check(RequestSchema, { id: 0, method })).toEqual({ ok: { id: 0, method } });
    }
  });
});

describe("ResponseSchema and EventSchema", () => {
  it("rejects a malformed error payload", () => {
    expect(rejects(ResponseSchema, { id: 1, error: { code: 1, message: "x" } })).toBe(true);
    expect(rejects(ResponseSchema, { id: 1, error: { code: "X" } })).toBe(true);
    expect(
      rejects(ResponseSchema, { id: 1, error: { code: "X", message: "m".repeat(8193) } }),
    ).toBe(true);
    expect(rejects(ResponseSchema, { id: 1, error: "boom" })).toBe(true);
    expect(rejects(ResponseSchema, { id: "1", result: 1 })).toBe(true);
  });

  it("accepts a null id for connection-level errors and drops unknown fields", () => {
    expect(
      check(ResponseSchema, { id: null, error: { code: "BUSY", message: "m", stack: "s" }, x: 1 }),
    ).toEqual({ ok: { id: null, error: { code: "BUSY", message: "m" } } });
  });

  it("keeps any result value", () => {
    expect(check(ResponseSchema, { id: 1, result: [1, { a: "b" }] })).toEqual({
      ok: { id: 1, result: [1, { a: "b" }] },
    });
  });

  it("rejects an unknown event kind and keeps event data", () => {
    expect(rejects(EventSchema, { id: 1, event: "exec", data: 1 })).toBe(true);
    expect(check(EventSchema, { id: 1, event: "stderr", data: "line", x: 1 })).toEqual({
      ok: { id: 1, event: "stderr", data: "line" },
    });
  });
});

describe("ParamsSchemas", () => {
  it("has a schema for every method", () => {
    expect(Object.keys(ParamsSchemas).sort()).toEqual(
      [
        "approve",
        "cancel",
        "ping",
        "shutdown",
        "status",
        "tools/call",
        "tools/help",
        "tools/list",
      ].sort(),
    );
  });

  it.each([
    ["no tool", {}],
    ["an empty tool name", { tool: "" }],
    ["a tool name over 256 characters", { tool: "t".repeat(257) }],
    ["non-string tokens", { tool: "t", tokens: ["a", 1] }],
    ["more than 10,000 tokens", { tool: "t", tokens: Array.from({ length: 10_001 }, () => "a") }],
    ["array arguments", { tool: "t", arguments: [1] }],
    ["a string for approve", { tool: "t", approve: "yes" }],
    ["a fractional client pid", { tool: "t", clientPid: 1.5 }],
    ["a cwd over 4096 characters", { tool: "t", cwd: "/".repeat(4097) }],
  ])("rejects tools/call params with %s", (_, input) => {
    expect(rejects(ParamsSchemas["tools/call"], input)).toBe(true);
  });

  it("drops unknown tools/call fields and keeps known ones", () => {
    const input = {
      tool: "get_weather",
      tokens: ["--city", "Oslo"],
      arguments: { city: "Oslo" },
      cwd: "/p",
      stderr: true,
      approve: false,
      clientPid: 42,
      shell: "rm -rf /",
    };
    const { shell: _dropped, ...known } = input;
    expect(check(ParamsSchemas["tools/call"], input)).toEqual({ ok: known });
  });

  it("rejects tools/call settings outside 0.05 s to 7 days and drops unknown settings", () => {
    const schema = ParamsSchemas["tools/call"];
    expect(rejects(schema, { tool: "t", settings: { toolTimeout: 0 } })).toBe(true);
    expect(rejects(schema, { tool: "t", settings: { idleTimeout: 7 * 86_400 + 1 } })).toBe(true);
    expect(rejects(schema, { tool: "t", settings: { startupTimeout: "5" } })).toBe(true);
    expect(check(schema, { tool: "t", settings: { toolTimeout: 5, maxMemory: 1 } })).toEqual({
      ok: { tool: "t", settings: { toolTimeout: 5 } },
    });
  });

  it("requires a whole-number target for cancel", () => {
    expect(rejects(ParamsSchemas.cancel, {})).toBe(true);
    expect(rejects(ParamsSchemas.cancel, { target: "3" })).toBe(true);
    expect(check(ParamsSchemas.cancel, { target: 3, extra: 1 })).toEqual({ ok: { target: 3 } });
  });

  it("requires a target and a known answer for approve", () => {
    expect(rejects(ParamsSchemas.approve, { target: 1 })).toBe(true);
    expect(rejects(ParamsSchemas.approve, { target: 1, answer: "yes" })).toBe(true);
    expect(rejects(ParamsSchemas.approve, { target: -1, answer: "once" })).toBe(true);
    expect(check(ParamsSchemas.approve, { target: 1, answer: "always", scope: "all" })).toEqual({
      ok: { target: 1, answer: "always" },
    });
  });

  it("drops unknown fields of the methods that take no params", () => {
    for (const method of ["ping", "tools/list", "status", "shutdown"] as const) {
      expect(check(ParamsSchemas[method], { force: true })).toEqual({ ok: {} });
    }
  });

  it("rejects a non-string tool for tools/help", () => {
    expect(rejects(ParamsSchemas["tools/help"], { tool: 1 })).toBe(true);
    expect(check(ParamsSchemas["tools/help"], {})).toEqual({ ok: {} });
  });
});
