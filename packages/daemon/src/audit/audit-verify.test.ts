import {
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAuditHead, writeAuditHead } from "./audit-head.js";
import { type AuditEntry, buildAuditRecord, GENESIS_HASH, hashAuditLine } from "./audit-record.js";
import { verifyAudit } from "./audit-verify.js";
import { AuditWriter } from "./audit-writer.js";

let root: string;
let dir: string;
let file: string;

const entry = (n: number): AuditEntry => ({
  event: "tool.call",
  project: "p",
  projectDir: "/p",
  daemon: "d",
  server: "node server.js",
  tool: "echo",
  arguments: { n },
  outcome: "ok",
});

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "mcpward-verify-"));
  dir = join(root, "log");
  file = join(dir, "audit.jsonl");
  const writer = AuditWriter.open({ dir });
  for (let n = 1; n <= 10; n++) await writer.append(entry(n));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function lines(): string[] {
  return readFileSync(file, "utf8").split("\n").slice(0, -1);
}

function rewrite(next: string[]): void {
  writeFileSync(file, next.length === 0 ? "" : `${next.join("\n")}\n`);
}

describe("verifyAudit", () => {
  it("accepts an intact log", async () => {
    expect(await verifyAudit(dir)).toEqual({
      ok: true,
      records: 10,
      files: ["audit.jsonl"],
      lastSeq: 10,
      breaks: [],
      omittedBreaks: 0,
    });
  });

  it("treats a missing directory as an empty, intact log", async () => {
    expect(await verifyAudit(join(root, "none"))).toMatchObject({
      ok: true,
      records: 0,
      files: [],
    });
  });

  it("locates an edited line", async () => {
    const next = lines();
    next[3] = next[3]!.replace('"tool":"echo"', '"tool":"ecHo"');
    rewrite(next);
    const result = await verifyAudit(dir);
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({ file: "audit.jsonl", line: 4, problem: "edited" }),
    ]);
  });

  it("locates an edit to the last line through the head", async () => {
    const next = lines();
    next[9] = next[9]!.replace('"outcome":"ok"', '"outcome":"denied"');
    rewrite(next);
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ file: "audit.jsonl", line: 10, problem: "edited" }),
    ]);
  });

  it("reports a line edited into invalid JSON as bad json, once", async () => {
    const next = lines();
    next[4] = next[4]!.slice(0, 30);
    rewrite(next);
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ line: 5, problem: "bad json" }),
    ]);
  });

  it("locates a deleted line at the line after the gap", async () => {
    const next = lines();
    next.splice(4, 1);
    rewrite(next);
    const result = await verifyAudit(dir);
    expect(result.records).toBe(9);
    expect(result.breaks).toEqual([
      expect.objectContaining({ file: "audit.jsonl", line: 5, problem: "deleted or reordered" }),
    ]);
  });

  it("detects reordered lines", async () => {
    const next = lines();
    [next[2], next[3]] = [next[3]!, next[2]!];
    rewrite(next);
    const result = await verifyAudit(dir);
    expect(result.breaks[0]).toMatchObject({ line: 3, problem: "deleted or reordered" });
  });

  it("detects a file truncated at a line boundary, located at the first missing line", async () => {
    rewrite(lines().slice(0, 7));
    const result = await verifyAudit(dir);
    expect(result.breaks).toEqual([
      expect.objectContaining({ file: "audit.jsonl", line: 8, problem: "truncated" }),
    ]);
    expect(result.breaks[0]!.detail).toMatch(/ends at seq 7 .* seq 10/);
  });

  it("detects a file truncated in the middle of a line as torn and truncated", async () => {
    const size = Buffer.byteLength(`${lines().slice(0, 7).join("\n")}\n`);
    truncateSync(file, size + 25);
    const result = await verifyAudit(dir);
    expect(result.breaks).toEqual([
      expect.objectContaining({ line: 8, problem: "torn line" }),
      expect.objectContaining({ line: 8, problem: "truncated" }),
    ]);
  });

  it("detects an emptied or deleted log file", async () => {
    truncateSync(file, 0);
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ file: "audit.jsonl", line: 1, problem: "truncated" }),
    ]);
    unlinkSync(file);
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ problem: "truncated" }),
    ]);
  });

  it("reports a junk line that is not a torn record as bad json even when the chain skips it", async () => {
    const next = lines();
    next.splice(5, 0, "hello");
    rewrite(next);
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ line: 6, problem: "bad json" }),
    ]);
  });

  it("reports a head that is missing or behind the log", async () => {
    const head = readFileSync(join(dir, "audit.head"));
    unlinkSync(join(dir, "audit.head"));
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ file: "audit.head", problem: "head mismatch" }),
    ]);
    writeFileSync(join(dir, "audit.head"), "{not json");
    expect((await verifyAudit(dir)).breaks[0]!.detail).toMatch(/invalid/);
    writeFileSync(join(dir, "audit.head"), head);
    const old = readAuditHead(dir);
    if (old.state !== "ok") throw new Error("head not restored");
    writeAuditHead(dir, { ...old.head, seq: 5 });
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ file: "audit.head", problem: "head mismatch" }),
    ]);
  });

  it("reports a sequence gap in an otherwise intact chain", async () => {
    rmSync(dir, { recursive: true });
    const writer = AuditWriter.open({ dir });
    await writer.append(entry(1));
    const first = lines()[0]!;
    const second = buildAuditRecord(entry(2), { seq: 3, prev: hashAuditLine(first) });
    writeFileSync(file, `${first}\n${second.line}\n`);
    writeAuditHead(dir, {
      seq: 3,
      hash: second.hash,
      size: -1,
      origin: { seq: 1, prev: GENESIS_HASH },
    });
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ line: 2, problem: "sequence gap" }),
    ]);
  });
});
