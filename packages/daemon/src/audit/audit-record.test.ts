import { createHash } from "node:crypto";
import { McpwardError, REDACTED } from "@mcpward/core";
import { describe, expect, it } from "vitest";
import {
  type AuditEntry,
  buildAuditRecord,
  GENESIS_HASH,
  hashAuditLine,
  isAuditRecord,
  parseAuditLine,
} from "./audit-record.js";
import { AUDIT_LIMITS } from "./audit-sanitize.js";

const base: AuditEntry = {
  event: "tool.call",
  project: "p1",
  projectDir: "/home/me/project",
  daemon: "d1",
  server: { command: "node", args: ["server.js"], env: { TOKEN: "tok-1234" } },
};

describe("buildAuditRecord", () => {
  it("writes one JSON line in a fixed field order, chained by prev, hashed over its bytes", () => {
    const time = new Date("2024-05-01T12:00:00.000Z");
    const { record, line, hash } = buildAuditRecord(
      {
        ...base,
        tool: "get_weather",
        arguments: { city: "Oslo" },
        decision: { action: "allow", rule: "tools.allow", reason: "listed" },
        durationMs: 12.6,
        outcome: "ok",
        resultBytes: 42,
        clientPid: 1234,
      },
      { seq: 7, prev: GENESIS_HASH, time },
    );
    expect(line).not.toContain("\n");
    expect(Object.keys(JSON.parse(line))).toEqual([
      "v",
      "seq",
      "time",
      "event",
      "project",
      "projectDir",
      "daemon",
      "server",
      "tool",
      "arguments",
      "decision",
      "durationMs",
      "outcome",
      "resultBytes",
      "clientPid",
      "prev",
    ]);
    expect(record).toMatchObject({
      v: 1,
      seq: 7,
      time: "2024-05-01T12:00:00.000Z",
      server: "TOKEN=*** node server.js",
      durationMs: 13,
      prev: GENESIS_HASH,
    });
    expect(hash).toBe(createHash("sha256").update(Buffer.from(line)).digest("hex"));
    expect(hashAuditLine(line)).toBe(hash);
    expect(parseAuditLine(line)).toEqual(record);
  });

  it("keeps the result only when results are on, masked", () => {
    const entry: AuditEntry = { ...base, result: { text: "tok-1234 leaked" } };
    const off = buildAuditRecord(entry, { seq: 1, prev: GENESIS_HASH }, { secrets: ["tok-1234"] });
    expect(off.record.result).toBeUndefined();
    const on = buildAuditRecord(
      entry,
      { seq: 1, prev: GENESIS_HASH },
      { secrets: ["tok-1234"], includeResult: true },
    );
    expect(on.record.result).toEqual({ text: `${REDACTED} leaked` });
  });

  it("masks secrets in error messages and omits invalid numbers", () => {
    const { record } = buildAuditRecord(
      {
        ...base,
        error: new McpwardError("SERVER_CRASHED", "server died with tok-1234 in argv"),
        durationMs: Number.NaN,
        resultBytes: -5,
      },
      { seq: 1, prev: GENESIS_HASH },
      { secrets: ["tok-1234"] },
    );
    expect(record.error).toEqual({
      code: "SERVER_CRASHED",
      message: `server died with ${REDACTED} in argv`,
    });
    expect("durationMs" in record).toBe(false);
    expect("resultBytes" in record).toBe(false);
  });

  it("replaces arguments too large for one line by a note", () => {
    const huge = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [
        `k${i}`,
        Array.from({ length: 100 }, () => "w".repeat(300)),
      ]),
    );
    const { line, record } = buildAuditRecord(
      { ...base, arguments: huge },
      { seq: 1, prev: GENESIS_HASH },
    );
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(AUDIT_LIMITS.lineBytes);
    expect(record.arguments).toMatch(/^\[TRUNCATED: arguments took \d+ bytes\]$/);
  });

  it("refuses an unknown event or outcome with an INTERNAL error", () => {
    const bad = { ...base, event: "tool.explode" } as unknown as AuditEntry;
    expect(() => buildAuditRecord(bad, { seq: 1, prev: GENESIS_HASH })).toThrow(
      expect.objectContaining({ code: "INTERNAL" }),
    );
    const badOutcome = { ...base, outcome: "meh" } as unknown as AuditEntry;
    expect(() => buildAuditRecord(badOutcome, { seq: 1, prev: GENESIS_HASH })).toThrow(
      /unknown outcome/,
    );
  });
});

describe("parseAuditLine", () => {
  it("rejects lines that are not well-formed records", () => {
    expect(parseAuditLine('{"v":1,"seq":1')).toBeNull();
    expect(parseAuditLine('{"v":2,"seq":1,"time":"t","event":"e","prev":"00"}')).toBeNull();
    expect(isAuditRecord({ v: 1, seq: 0, time: "t", event: "e", prev: GENESIS_HASH })).toBe(false);
    expect(isAuditRecord({ v: 1, seq: 1, time: "t", event: "e", prev: GENESIS_HASH })).toBe(true);
  });
});
