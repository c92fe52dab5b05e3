import {
  appendFileSync,
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REDACTED } from "@mcpward/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processStartTime } from "../process-info.js";
import { type AuditHead, readAuditHead, writeAuditHead } from "./audit-head.js";
import { type AuditEntry, GENESIS_HASH, hashAuditLine } from "./audit-record.js";
import { verifyAudit } from "./audit-verify.js";
import { AuditWriter } from "./audit-writer.js";

let root: string;
let dir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "mcpward-audit-"));
  dir = join(root, "audit", "project1");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function call(n: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    event: "tool.call",
    project: "project1",
    projectDir: "/work/project",
    daemon: "daemon1",
    server: { command: "node", args: ["server.js"] },
    tool: "echo",
    arguments: { n },
    outcome: "ok",
    durationMs: n,
    ...extra,
  };
}

function lines(file = "audit.jsonl"): string[] {
  return readFileSync(join(dir, file), "utf8").split("\n").slice(0, -1);
}

function readHead(): AuditHead {
  const read = readAuditHead(dir);
  if (read.state !== "ok") throw new Error(`head is ${read.state}`);
  return read.head;
}

function allText(): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), "utf8"))
    .join("\n");
}

describe("AuditWriter", () => {
  it("appends chained records in call order to a 0600 file in a 0700 directory", async () => {
    const writer = AuditWriter.open({ dir });
    const written = await Promise.all([
      writer.append(call(1)),
      writer.append(call(2)),
      writer.append(call(3)),
    ]);
    expect(written.map((record) => record.seq)).toEqual([1, 2, 3]);
    const text = lines();
    expect(text).toHaveLength(3);
    const records = text.map((line) => JSON.parse(line));
    expect(records.map((record) => record.arguments.n)).toEqual([1, 2, 3]);
    expect(records[0].prev).toBe(GENESIS_HASH);
    expect(records[1].prev).toBe(hashAuditLine(text[0]!));
    expect(records[2].prev).toBe(hashAuditLine(text[1]!));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "audit.jsonl")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "audit.head")).mode & 0o777).toBe(0o600);
    expect(readHead()).toMatchObject({
      seq: 3,
      hash: hashAuditLine(text[2]!),
    });
    expect(existsSync(join(dir, "audit.lock"))).toBe(false);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 3, lastSeq: 3 });
  });

  it("continues one chain across writers and appendSync", async () => {
    const a = AuditWriter.open({ dir });
    const b = AuditWriter.open({ dir });
    await a.append(call(1));
    b.appendSync(call(2));
    await a.append(call(3));
    expect(lines().map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3]);
    expect((await verifyAudit(dir)).ok).toBe(true);
  });

  it("tightens an existing log file that others could read to 0600", async () => {
    AuditWriter.open({ dir });
    writeFileSync(join(dir, "audit.jsonl"), "");
    chmodSync(join(dir, "audit.jsonl"), 0o644);
    await AuditWriter.open({ dir }).append(call(1));
    expect(statSync(join(dir, "audit.jsonl")).mode & 0o777).toBe(0o600);
  });

  it("does not follow a symlink planted at the log file: error, target untouched", async () => {
    const target = join(root, "victim.txt");
    writeFileSync(target, "precious\n");
    const writer = AuditWriter.open({ dir });
    symlinkSync(target, join(dir, "audit.jsonl"));
    await expect(writer.append(call(1))).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    expect(() => writer.appendSync(call(2))).toThrow(/symbolic link/);
    expect(readFileSync(target, "utf8")).toBe("precious\n");
    expect(lstatSync(join(dir, "audit.jsonl")).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, "audit.head"))).toBe(false);
    expect(existsSync(join(dir, "audit.lock"))).toBe(false);
  });

  it("does not follow a symlink planted at the head file, and writes no line then", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(1));
    const before = readFileSync(join(dir, "audit.jsonl"));
    const target = join(root, "victim.txt");
    writeFileSync(target, "precious\n");
    unlinkSync(join(dir, "audit.head"));
    symlinkSync(target, join(dir, "audit.head"));
    await expect(writer.append(call(2))).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    expect(readFileSync(target, "utf8")).toBe("precious\n");
    expect(readFileSync(join(dir, "audit.jsonl"))).toEqual(before);
  });

  it("treats a damaged head as invalid and rebuilds it from the log", async () => {
    const writer = AuditWriter.open({ dir });
    for (let n = 1; n <= 3; n++) await writer.append(call(n));
    const head = readFileSync(join(dir, "audit.head"), "utf8");
    writeFileSync(join(dir, "audit.head"), head.replace('"seq":3', '"seq":9'));
    expect(readAuditHead(dir).state).toBe("invalid");
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ file: "audit.head", problem: "head mismatch" }),
    ]);
    expect((await writer.append(call(4))).seq).toBe(4);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 4 });
  });

  it("refuses a log directory that is a symlink", () => {
    const real = join(root, "real");
    AuditWriter.open({ dir: real });
    symlinkSync(real, join(root, "link"));
    expect(() => AuditWriter.open({ dir: join(root, "link") })).toThrow(
      expect.objectContaining({ code: "UNSAFE_PATH" }),
    );
  });

  it("rotates by size and keeps the chain verifiable across files", async () => {
    const writer = AuditWriter.open({ dir, maxBytes: 1500, keepFiles: 100 });
    for (let n = 1; n <= 40; n++) await writer.append(call(n));
    const files = readdirSync(dir)
      .filter((name) => name.endsWith(".jsonl"))
      .sort();
    expect(files.length).toBeGreaterThan(5);
    expect(files.at(-1)).toBe("audit.jsonl");
    const ordered = [...files.slice(0, -1), "audit.jsonl"];
    let previousLast: string | null = null;
    let seq = 0;
    for (const name of ordered) {
      const text = lines(name);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
      expect(Buffer.byteLength(`${text.join("\n")}\n`)).toBeLessThanOrEqual(1500);
      const first = JSON.parse(text[0]!);
      expect(first.prev).toBe(previousLast === null ? GENESIS_HASH : hashAuditLine(previousLast));
      for (const line of text) expect(JSON.parse(line).seq).toBe(++seq);
      previousLast = text.at(-1)!;
      if (name !== "audit.jsonl") expect(name).toBe(`audit.${String(seq).padStart(12, "0")}.jsonl`);
    }
    expect(seq).toBe(40);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 40, files: ordered });
  });

  it("deletes rotated files beyond keepFiles and still verifies; deleting the oldest kept one is detected", async () => {
    const writer = AuditWriter.open({ dir, maxBytes: 1500, keepFiles: 2 });
    for (let n = 1; n <= 40; n++) await writer.append(call(n));
    const rotated = readdirSync(dir)
      .filter((name) => /^audit\.\d+\.jsonl$/.test(name))
      .sort();
    expect(rotated).toHaveLength(2);
    const result = await verifyAudit(dir);
    expect(result.ok).toBe(true);
    expect(result.lastSeq).toBe(40);
    expect(result.records).toBeLessThan(40);

    unlinkSync(join(dir, rotated[0]!));
    const broken = await verifyAudit(dir);
    expect(broken.ok).toBe(false);
    expect(broken.breaks).toEqual([
      expect.objectContaining({ file: rotated[1], line: 1, problem: "deleted or reordered" }),
    ]);
  });

  it("writes no secret: exact values, secret-named arguments, tokens, errors, results, server env", async () => {
    const canary = "CANARY-91c2e8d4-value";
    const keyed = "keyed-canary-5b7e0d";
    const token = `ghp_${"Z9".repeat(18)}`;
    const writer = AuditWriter.open({ dir, secrets: [canary], results: true });
    await writer.append(
      call(1, {
        server: {
          command: "node",
          args: ["server.js", `--token=${canary}`],
          env: { API_KEY: canary },
        },
        arguments: { query: `find ${canary}`, password: keyed, nested: { note: `auth ${token}` } },
        result: { content: [{ type: "text", text: `echo ${canary} ${token}` }] },
        error: { code: "TOOL_ERROR", message: `failed with ${canary}` },
        decision: { action: "allow", rule: "r", reason: `because ${canary}` },
      }),
    );
    const text = allText();
    for (const secret of [canary, keyed, token]) expect(text).not.toContain(secret);
    const record = JSON.parse(lines()[0]!);
    expect(record.arguments.password).toBe(REDACTED);
    expect(record.server).toBe(`API_KEY=*** node server.js --token=${REDACTED}`);
    expect(record.result.content[0].text).toBe(`echo ${REDACTED} ${REDACTED}`);
  });

  it("drops results unless results are on", async () => {
    await AuditWriter.open({ dir }).append(call(1, { result: { text: "hello" }, resultBytes: 17 }));
    const record = JSON.parse(lines()[0]!);
    expect(record.result).toBeUndefined();
    expect(record.resultBytes).toBe(17);
  });

  it("closes off a torn last line and chains past it; verify flags only the torn line", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(1));
    await writer.append(call(2));
    const [, second] = lines();
    // What a writer killed inside its write() leaves behind.
    appendFileSync(join(dir, "audit.jsonl"), second!.replace('"seq":2', '"seq":3').slice(0, 60));
    const record = await writer.append(call(3));
    expect(record.seq).toBe(3);
    expect(record.prev).toBe(hashAuditLine(second!));
    const text = lines();
    expect(text).toHaveLength(4);
    expect(JSON.parse(text[3]!).seq).toBe(3);
    const result = await verifyAudit(dir);
    expect(result.records).toBe(3);
    expect(result.breaks).toEqual([
      expect.objectContaining({ file: "audit.jsonl", line: 3, problem: "torn line" }),
    ]);
  });

  it("keeps a whole record that only lacks its newline in the chain", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(1));
    const head = readFileSync(join(dir, "audit.head"));
    await writer.append(call(2));
    writeFileSync(join(dir, "audit.head"), head);
    const text = readFileSync(join(dir, "audit.jsonl"), "utf8");
    writeFileSync(join(dir, "audit.jsonl"), text.slice(0, -1));
    const record = await writer.append(call(3));
    expect(record.seq).toBe(3);
    expect(lines()).toHaveLength(3);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 3 });
  });

  it("adopts a record written by a writer killed before it updated the head", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(1));
    const head = readFileSync(join(dir, "audit.head"));
    await writer.append(call(2));
    writeFileSync(join(dir, "audit.head"), head);
    expect((await verifyAudit(dir)).ok).toBe(true);
    const record = await writer.append(call(3));
    expect(record.seq).toBe(3);
    expect(record.prev).toBe(hashAuditLine(lines()[1]!));
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 3 });
  });

  it("writes the appends of one turn as one chained batch, in call order", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(0));
    const records = await Promise.all(
      Array.from({ length: 50 }, (_, n) => writer.append(call(n + 1))),
    );
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, n) => n + 2));
    const text = lines();
    expect(text.map((line) => JSON.parse(line).arguments.n)).toEqual(
      Array.from({ length: 51 }, (_, n) => n),
    );
    for (let i = 1; i < text.length; i++) {
      expect(JSON.parse(text[i]!).prev).toBe(hashAuditLine(text[i - 1]!));
    }
    expect(readHead()).toMatchObject({ seq: 51, hash: hashAuditLine(text.at(-1)!) });
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 51, lastSeq: 51 });
  });

  it("rotates inside a batch and keeps the chain verifiable", async () => {
    const writer = AuditWriter.open({ dir, maxBytes: 1500, keepFiles: 100 });
    await Promise.all(Array.from({ length: 40 }, (_, n) => writer.append(call(n + 1))));
    const files = readdirSync(dir).filter((name) => name.endsWith(".jsonl"));
    expect(files.length).toBeGreaterThan(5);
    for (const name of files) {
      expect(Buffer.byteLength(`${lines(name).join("\n")}\n`)).toBeLessThanOrEqual(1500);
    }
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 40, lastSeq: 40 });
  });

  it("writes earlier appends of the turn before an appendSync, in one chain", async () => {
    const writer = AuditWriter.open({ dir });
    const first = writer.append(call(1));
    const second = writer.append(call(2));
    expect(writer.appendSync(call(3)).seq).toBe(3);
    expect((await first).seq).toBe(1);
    expect((await second).seq).toBe(2);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 3 });
  });

  it("adopts a whole batch written by a writer killed before it updated the head", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(1));
    const head = readFileSync(join(dir, "audit.head"));
    await Promise.all([2, 3, 4].map((n) => writer.append(call(n))));
    writeFileSync(join(dir, "audit.head"), head);
    expect((await verifyAudit(dir)).ok).toBe(true);
    const record = await writer.append(call(5));
    expect(record.seq).toBe(5);
    expect(record.prev).toBe(hashAuditLine(lines()[3]!));
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 5 });
  });

  it("still reports a head that lags by more than one batch", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(0));
    const head = readFileSync(join(dir, "audit.head"));
    for (let round = 0; round < 2; round++) {
      await Promise.all(Array.from({ length: 200 }, (_, n) => writer.append(call(n))));
    }
    writeFileSync(join(dir, "audit.head"), head);
    const result = await verifyAudit(dir);
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({ problem: "head mismatch", file: "audit.head" }),
    ]);
  });

  it("keeps one chain when another writer appends and rotates between its batches", async () => {
    // Each writer keeps its descriptors open between batches: it must notice
    // the other's appends (size) and rotations (a new file at the path).
    const a = AuditWriter.open({ dir, maxBytes: 1500, keepFiles: 100 });
    const b = AuditWriter.open({ dir, maxBytes: 1500, keepFiles: 100 });
    for (let n = 1; n <= 40; n++) await (n % 3 === 0 ? b : a).append(call(n));
    await Promise.all([a.close(), b.close()]);
    expect(readdirSync(dir).filter((name) => name.endsWith(".jsonl")).length).toBeGreaterThan(5);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 40, lastSeq: 40 });
  });

  it("finishes a rotation interrupted between its link and its unlink", async () => {
    const writer = AuditWriter.open({ dir });
    for (let n = 1; n <= 10; n++) await writer.append(call(n));
    const rotated = `audit.${String(10).padStart(12, "0")}.jsonl`;
    linkSync(join(dir, "audit.jsonl"), join(dir, rotated));
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 10, files: [rotated] });
    await writer.append(call(11));
    expect(lines()).toHaveLength(1);
    expect(lines(rotated)).toHaveLength(10);
    expect(await verifyAudit(dir)).toMatchObject({
      ok: true,
      records: 11,
      files: [rotated, "audit.jsonl"],
    });
  });

  it("accepts history older than the head's origin (deletion interrupted after the head moved on)", async () => {
    const writer = AuditWriter.open({ dir, maxBytes: 1500, keepFiles: 100 });
    for (let n = 1; n <= 40; n++) await writer.append(call(n));
    const rotated = readdirSync(dir)
      .filter((name) => /^audit\.\d+\.jsonl$/.test(name))
      .sort();
    const second = JSON.parse(lines(rotated[1])[0]!);
    const head = readHead();
    writeAuditHead(dir, { ...head, origin: { seq: second.seq, prev: second.prev } });
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 40 });
    unlinkSync(join(dir, rotated[0]!));
    expect(await verifyAudit(dir)).toMatchObject({ ok: true });
    unlinkSync(join(dir, rotated[1]!));
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ file: rotated[2], line: 1, problem: "deleted or reordered" }),
    ]);
  });

  it("rebuilds a missing head from the files", async () => {
    const writer = AuditWriter.open({ dir, maxBytes: 1500, keepFiles: 100 });
    for (let n = 1; n <= 12; n++) await writer.append(call(n));
    unlinkSync(join(dir, "audit.head"));
    expect((await verifyAudit(dir)).breaks).toEqual([
      expect.objectContaining({ file: "audit.head", problem: "head mismatch" }),
    ]);
    expect((await writer.append(call(13))).seq).toBe(13);
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 13 });
  });

  it("keeps truncation visible: the next record still chains from the head", async () => {
    const writer = AuditWriter.open({ dir });
    for (let n = 1; n <= 5; n++) await writer.append(call(n));
    writeFileSync(join(dir, "audit.jsonl"), `${lines().slice(0, 3).join("\n")}\n`);
    const record = await writer.append(call(6));
    expect(record.seq).toBe(6);
    const result = await verifyAudit(dir);
    expect(result.breaks).toEqual([
      expect.objectContaining({ file: "audit.jsonl", line: 4, problem: "deleted or reordered" }),
    ]);
  });

  it("makes the directory again when it was removed under a running writer", async () => {
    const writer = AuditWriter.open({ dir });
    await writer.append(call(1));
    rmSync(dir, { recursive: true });
    await expect(writer.append(call(2))).resolves.toMatchObject({ seq: 1 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("rejects with BUSY (and keeps going afterwards) while another live process holds the lock", async () => {
    const writer = AuditWriter.open({ dir, lockTimeoutMs: 150 });
    const lock = join(dir, "audit.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, start: processStartTime(process.pid) }));
    await expect(writer.append(call(1))).rejects.toMatchObject({ code: "BUSY" });
    unlinkSync(lock);
    await expect(writer.append(call(2))).resolves.toMatchObject({ seq: 1 });
  });

  it("rejects an invalid entry without writing, and refuses appends after close", async () => {
    const writer = AuditWriter.open({ dir });
    const bad = { ...call(1), event: "nope" } as unknown as AuditEntry;
    await expect(writer.append(bad)).rejects.toMatchObject({ code: "INTERNAL" });
    await writer.append(call(2));
    await writer.close();
    await expect(writer.append(call(3))).rejects.toThrow(/closed/);
    expect(lines()).toHaveLength(1);
  });

  it("refuses invalid options", () => {
    expect(() => AuditWriter.open({ dir, maxBytes: 0 })).toThrow(
      expect.objectContaining({ code: "BAD_CONFIG" }),
    );
    expect(() => AuditWriter.open({ dir, keepFiles: 1.5 })).toThrow(/keepFiles/);
  });
});
