import { REDACTED } from "@mcpward/core";
import { describe, expect, it } from "vitest";
import {
  AUDIT_LIMITS,
  createSecretMasker,
  describeServer,
  sanitizeAuditText,
  sanitizeAuditValue,
  truncateText,
} from "./audit-sanitize.js";

const CANARY = "canary-7f3a9c1e-secret";

function sanitize(value: unknown, secrets: string[] = [CANARY]): unknown {
  return sanitizeAuditValue(value, createSecretMasker(secrets), secrets);
}

describe("sanitizeAuditValue", () => {
  it("masks exact secret values in strings, keys, nested values and URL-encoded forms", () => {
    const secret = "s3cr3t value/with+chars";
    const out = sanitize(
      {
        note: `before ${CANARY} after`,
        nested: [{ deep: { text: CANARY } }],
        [CANARY]: 1,
        url: `https://x.test/?q=${encodeURIComponent(secret)}`,
      },
      [CANARY, secret],
    );
    const text = JSON.stringify(out);
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).toContain(`before ${REDACTED} after`);
  });

  it("redacts values under secret-named keys and token-shaped values", () => {
    const token = `ghp_${"a".repeat(36)}`;
    const out = sanitize({
      apiKey: "plain-looking-value",
      path: "/tmp/x",
      message: `use ${token}`,
    }) as Record<string, unknown>;
    expect(out.apiKey).toBe(REDACTED);
    expect(out.path).toBe("/tmp/x");
    expect(out.message).toBe(`use ${REDACTED}`);
  });

  it("masks a number equal to a secret value, keeps short values (under 4 chars) visible", () => {
    expect(sanitize({ pin: 987654 }, ["987654"])).toEqual({ pin: REDACTED });
    expect(sanitize({ word: "abc" }, ["abc"])).toEqual({ word: "abc" });
  });

  it("cuts long strings to 256 characters and notes the original length", () => {
    const out = sanitize("x".repeat(10240)) as string;
    expect(out).toBe(`${"x".repeat(AUDIT_LIMITS.stringChars)}…[truncated, 10240 chars]`);
  });

  it("masks a secret that straddles the cut whole, so no prefix of it survives", () => {
    const text = `${"y".repeat(250)}${CANARY}${"z".repeat(100)}`;
    const out = sanitize(text) as string;
    expect(out).not.toContain(CANARY.slice(0, 6));
    expect(out.startsWith(`${"y".repeat(250)}[REDAC`)).toBe(true);
  });

  it("masks a token that starts just before the cut, and a private key whose end lies far beyond", () => {
    const token = `ghp_${"T".repeat(36)}`;
    expect(sanitize(`${"a".repeat(240)} ${token}`)).toBe(`${"a".repeat(240)} [REDACTED]`);
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${"QUJD".repeat(1000)}\n-----END RSA PRIVATE KEY-----`;
    const out = sanitize(`key: ${pem}`) as string;
    expect(out).not.toContain("QUJD");
    expect(out).toMatch(/^key: \[REDACTED\]/);
  });

  it("examines a bounded amount of text per value: later strings become [TRUNCATED]", () => {
    const many = Array.from({ length: 90 }, () =>
      Array.from({ length: 100 }, () => "w".repeat(5000)),
    );
    const out = JSON.stringify(sanitize(many));
    expect(out).toContain('"[TRUNCATED]"');
    expect(out.split("…[truncated, 5000 chars]").length - 1).toBeLessThanOrEqual(
      Math.ceil(AUDIT_LIMITS.textChars / AUDIT_LIMITS.stringChars),
    );
  });

  it("caps depth, width and cycles", () => {
    let deep: Record<string, unknown> = { leaf: "end" };
    for (let i = 0; i < 12; i++) deep = { next: deep };
    expect(JSON.stringify(sanitize(deep))).toContain('"[TRUNCATED]"');
    expect(JSON.stringify(sanitize(deep))).not.toContain("end");

    const wide = sanitize(Array.from({ length: 150 }, (_, i) => i)) as unknown[];
    expect(wide).toHaveLength(AUDIT_LIMITS.entries + 1);
    expect(wide.at(-1)).toBe("…[50 more items]");

    const keys = sanitize(Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i])));
    expect(Object.keys(keys as object)).toHaveLength(AUDIT_LIMITS.entries + 1);

    const loop: Record<string, unknown> = { name: "loop" };
    loop.self = loop;
    expect(sanitize(loop)).toEqual({ name: "loop", self: "[CIRCULAR]" });
  });

  it("turns values JSON cannot hold into JSON-safe ones", () => {
    const out = sanitize({ big: 12n, fn: () => 1, bytes: new Uint8Array(5), nan: Number.NaN });
    expect(out).toEqual({ big: "12", bytes: "[binary, 5 bytes]", nan: null });
  });
});

describe("truncateText", () => {
  it("never splits a surrogate pair", () => {
    const text = `${"a".repeat(9)}😀tail`;
    expect(truncateText(text, 10)).toBe(`${"a".repeat(9)}…[truncated, ${text.length} chars]`);
  });
});

describe("sanitizeAuditText", () => {
  it("masks before cutting and notes the length of the text as given", () => {
    const mask = createSecretMasker([CANARY]);
    expect(sanitizeAuditText(`${CANARY} ok`, mask, 256)).toBe(`${REDACTED} ok`);
    expect(sanitizeAuditText("q".repeat(300), mask, 10)).toBe(
      `${"q".repeat(10)}…[truncated, 300 chars]`,
    );
  });
});

describe("describeServer", () => {
  const mask = createSecretMasker([CANARY]);

  it("shows env values as NAME=*** and quotes arguments with spaces", () => {
    expect(
      describeServer(
        { env: { API_TOKEN: CANARY, MODE: "fast" }, command: "node", args: ["server.js", "a b"] },
        mask,
      ),
    ).toBe('API_TOKEN=*** MODE=*** node server.js "a b"');
  });

  it("masks leading env tokens of a command line and secrets in its arguments", () => {
    const line = describeServer(`API_TOKEN=${CANARY} DEBUG=1 npx server --key ${CANARY}`, mask);
    expect(line).toBe(`API_TOKEN=*** DEBUG=*** npx server --key ${REDACTED}`);
  });
});
