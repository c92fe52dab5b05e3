import { describe, expect, it } from "vitest";
import { McpwardError } from "./errors.js";
import { deepSanitize, isPrototypeKey } from "./sanitize.js";

/**
 * The tests that push tens of megabytes through the sanitiser take a few
 * hundred milliseconds alone, but far longer on a shared machine under load;
 * they check the limit, not the speed.
 */
const HEAVY_TEST_TIMEOUT_MS = 60_000;

function thrown(fn: () => unknown): McpwardError {
  try {
    fn();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an McpwardError, nothing was thrown");
}

/** `[[[…]]]` nested `depth` times, built without recursion. */
function deepArray(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("deepSanitize: prototype keys", () => {
  it("drops __proto__ from JSON.parse output and pollutes nothing when merged", () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":1},"ok":2}');
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
    const clean = deepSanitize<Record<string, unknown>>(parsed);
    expect(Object.keys(clean)).toEqual(["ok"]);
    expect(Object.hasOwn(clean, "__proto__")).toBe(false);
    const merged = Object.assign({}, clean) as Record<string, unknown>;
    expect(merged.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("drops constructor and prototype keys at any depth, inside arrays too", () => {
    const parsed = JSON.parse(
      '{"a":[{"constructor":{"prototype":{"x":1}},"keep":[{"__proto__":1,"prototype":2,"v":3}]}]}',
    );
    expect(JSON.parse(JSON.stringify(deepSanitize(parsed)))).toEqual({
      a: [{ keep: [{ v: 3 }] }],
    });
  });

  it("returns null-prototype objects at every level", () => {
    const clean = deepSanitize<{ a: { b: [{ c: 1 }] } }>({ a: { b: [{ c: 1 }] } });
    expect(Object.getPrototypeOf(clean)).toBeNull();
    expect(Object.getPrototypeOf(clean.a)).toBeNull();
    expect(Array.isArray(clean.a.b)).toBe(true);
    expect(Object.getPrototypeOf(clean.a.b[0])).toBeNull();
  });

  it("copies instead of returning the input", () => {
    const input = { a: { b: 1 } };
    const clean = deepSanitize<typeof input>(input);
    expect(clean).not.toBe(input);
    expect(clean.a).not.toBe(input.a);
  });

  it("names exactly the three prototype keys", () => {
    expect(["__proto__", "constructor", "prototype"].every(isPrototypeKey)).toBe(true);
    expect(["proto", "Constructor", "__proto", "toString", ""].some(isPrototypeKey)).toBe(false);
  });
});

describe("deepSanitize: limits", () => {
  it("fails a 200,000-deep array with LIMIT_EXCEEDED instead of overflowing the stack", () => {
    const error = thrown(() => deepSanitize(deepArray(200_000)));
    expect(error.code).toBe("LIMIT_EXCEEDED");
    expect(error.message).toMatch(/nested deeper than 64 levels; flatten it/);
  });

  it("fails it with LIMIT_EXCEEDED even when maxDepth is raised past what the stack holds", () => {
    const error = thrown(() => deepSanitize(deepArray(200_000), { maxDepth: 1_000_000 }));
    expect(error.code).toBe("LIMIT_EXCEEDED");
  });

  it("accepts nesting up to maxDepth and rejects one level more", () => {
    expect(() => deepSanitize(deepArray(63))).not.toThrow();
    expect(thrown(() => deepSanitize(deepArray(64))).code).toBe("LIMIT_EXCEEDED");
    expect(() => deepSanitize(deepArray(3), { maxDepth: 4 })).not.toThrow();
    expect(thrown(() => deepSanitize(deepArray(4), { maxDepth: 4 })).code).toBe("LIMIT_EXCEEDED");
  });

  it("fails a cycle with LIMIT_EXCEEDED", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(thrown(() => deepSanitize(cyclic)).code).toBe("LIMIT_EXCEEDED");
  });

  it(
    "fails 50 MB of JSON against the default 16 MiB cap",
    () => {
      const huge = JSON.parse(JSON.stringify({ blob: "x".repeat(50 * 1024 * 1024) }));
      const error = thrown(() => deepSanitize(huge));
      expect(error.code).toBe("LIMIT_EXCEEDED");
      expect(error.message).toMatch(
        /larger than 16777216 bytes; send less data or raise the limit/,
      );
    },
    HEAVY_TEST_TIMEOUT_MS,
  );

  it("fails many small values that add up past maxBytes", () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ i, s: "abcdefgh" }));
    expect(thrown(() => deepSanitize(many, { maxBytes: 10_000 })).code).toBe("LIMIT_EXCEEDED");
    expect(() => deepSanitize(many, { maxBytes: 100_000 })).not.toThrow();
  });

  it("counts long keys against maxBytes", () => {
    const wideKeys = { ["k".repeat(5000)]: 1 };
    expect(thrown(() => deepSanitize(wideKeys, { maxBytes: 1000 })).code).toBe("LIMIT_EXCEEDED");
  });

  it(
    "fails a huge sparse array on size, counting each hole as a null",
    () => {
      const sparse: unknown[] = [];
      sparse.length = 2 ** 32 - 1;
      expect(thrown(() => deepSanitize(sparse)).code).toBe("LIMIT_EXCEEDED");
    },
    HEAVY_TEST_TIMEOUT_MS,
  );
});

describe("deepSanitize: values", () => {
  it("turns non-JSON values into null, as JSON would", () => {
    const input = [() => 1, Symbol("s"), undefined, Number.NaN, Number.POSITIVE_INFINITY, 10n];
    expect(deepSanitize(input)).toEqual([null, null, null, null, null, null]);
  });

  it("keeps JSON values unchanged", () => {
    const value = { s: "é中😀", n: -1.5, t: true, f: false, z: null, a: [1, "2", [3]], e: {} };
    expect(JSON.stringify(deepSanitize(value))).toBe(JSON.stringify(value));
  });

  it("passes primitives through", () => {
    expect(deepSanitize("text")).toBe("text");
    expect(deepSanitize(0)).toBe(0);
    expect(deepSanitize(null)).toBeNull();
  });
});
