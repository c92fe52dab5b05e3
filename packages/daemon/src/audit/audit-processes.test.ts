// Several real writer processes on one log: the writer is bundled with
// esbuild (tsup's own copy) into a plain .mjs that child `node` processes run.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditFiles } from "./audit-files.js";
import { verifyAudit } from "./audit-verify.js";
import { AuditWriter } from "./audit-writer.js";

const here = dirname(fileURLToPath(import.meta.url));
const CANARY = "CANARY-proc-3e8b71f0";
const TOKEN = `ghp_${"Q7".repeat(18)}`;

const CHILD = `
import { AuditWriter } from "./index.js";
const [dir, mode, countText, maxBytes] = process.argv.slice(2);
const writer = AuditWriter.open({
  dir, maxBytes: Number(maxBytes), keepFiles: 10000, secrets: [${JSON.stringify(CANARY)}], lockTimeoutMs: 120000,
});
const entry = (i, args) => ({
  event: "tool.call", project: "proj", projectDir: "/work/proj", daemon: "daemon-" + process.pid,
  server: { command: "node", args: ["server.js"], env: { API_KEY: ${JSON.stringify(CANARY)} } },
  tool: "echo", arguments: args, outcome: "ok", durationMs: i, clientPid: process.pid,
});
if (mode === "burst") {
  const count = Number(countText);
  // Several appends in flight per process, as in a busy daemon.
  for (let i = 0; i < count; i += 10) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 10); j++) {
      batch.push(writer.append(entry(j, {
        i: j, pid: process.pid, text: "say ${CANARY}", password: "${CANARY}", auth: "Bearer ${TOKEN}",
      })));
    }
    await Promise.all(batch);
  }
} else {
  // Small records keep the process inside the locked section most of the
  // time (so the kill often lands there); large ones (about 50 KB, cheap to
  // mask) widen the window in which it lands inside write().
  const blob = Array.from({ length: 100 }, (_, k) => ("w" + k + " ").repeat(80).slice(0, 250));
  for (let i = 0; ; i++) writer.appendSync(entry(i, i % 4 === 0 ? { i, a: blob, b: blob } : { i }));
}
`;

let root: string;
let bundle: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "mcpward-audit-proc-"));
  bundle = join(root, "audit-child.mjs");
  const require = createRequire(import.meta.url);
  const esbuild = createRequire(require.resolve("tsup"))("esbuild") as {
    buildSync(options: Record<string, unknown>): unknown;
  };
  esbuild.buildSync({
    stdin: { contents: CHILD, resolveDir: here, loader: "ts", sourcefile: "audit-child.ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: bundle,
    logLevel: "error",
  });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [bundle, ...args], { stdio: ["ignore", "ignore", "pipe"] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/** Every line of every log file in chain order, and whether the last file ends with a newline. */
function readLog(dir: string): { lines: string[]; lastTerminated: boolean; lastFileLines: number } {
  const lines: string[] = [];
  let lastTerminated = true;
  let lastFileLines = 0;
  for (const name of listAuditFiles(dir)) {
    const text = readFileSync(join(dir, name), "utf8");
    const parts = text.split("\n");
    lastTerminated = text === "" || text.endsWith("\n");
    if (lastTerminated) parts.pop();
    lines.push(...parts);
    lastFileLines = parts.length;
  }
  return { lines, lastTerminated, lastFileLines };
}

describe("audit log with concurrent writer processes", () => {
  it("20 processes x 500 appends: every line valid JSON, exactly 10,000 records, one verified chain, no secret", async () => {
    const dir = join(root, "burst");
    const children = Array.from({ length: 20 }, () =>
      run([dir, "burst", "500", String(256 * 1024)]),
    );
    const results = await Promise.all(children.map(exited));
    for (const result of results) expect(result).toEqual({ code: 0, stderr: "" });

    const { lines, lastTerminated } = readLog(dir);
    expect(lastTerminated).toBe(true);
    expect(lines).toHaveLength(10_000);
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((record) => record.seq)).toEqual(
      Array.from({ length: 10_000 }, (_, i) => i + 1),
    );
    const perProcess = new Map<number, number>();
    for (const record of records) {
      perProcess.set(record.clientPid, (perProcess.get(record.clientPid) ?? 0) + 1);
    }
    expect([...perProcess.values()]).toEqual(Array.from({ length: 20 }, () => 500));

    const files = readdirSync(dir);
    expect(files.filter((name) => name.endsWith(".jsonl")).length).toBeGreaterThan(3);
    expect(files).not.toContain("audit.lock");
    for (const name of files) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const text = files.map((name) => readFileSync(join(dir, name), "utf8")).join("\n");
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(TOKEN);

    expect(await verifyAudit(dir)).toMatchObject({ ok: true, records: 10_000, lastSeq: 10_000 });
  }, 120_000);

  it("kill -9 of a writer mid-write leaves at most the last line torn, flagged by verify; the next append continues", async () => {
    const dir = join(root, "killed");
    let torn = 0;
    for (let round = 0; round < 5; round++) {
      const child = run([dir, "loop", "0", String(10 * 1024 * 1024)]);
      const done = exited(child);
      // Let it write a few dozen large lines (and for a varying while), then kill it.
      const target = 20 + round * 37;
      while (readLog(dir).lines.length < target) await new Promise((r) => setTimeout(r, 5));
      child.kill("SIGKILL");
      await done;

      const before = readLog(dir);
      const lastFile = listAuditFiles(dir).at(-1)!;
      // Every complete line is a record, except fragments torn in earlier rounds.
      const closedOff = closedOffFragments(dir);
      expect(closedOff).toHaveLength(torn);
      const result = await verifyAudit(dir);
      const tornNow = before.lastTerminated
        ? []
        : [{ file: lastFile, line: before.lastFileLines, problem: "torn line" }];
      expect(result.breaks.map(({ file, line, problem }) => ({ file, line, problem }))).toEqual([
        ...closedOff,
        ...tornNow,
      ]);
      if (!before.lastTerminated) torn += 1;

      const writer = AuditWriter.open({ dir, lockTimeoutMs: 30_000 });
      const record = await writer.append({
        event: "server.crash",
        project: "proj",
        projectDir: "/work/proj",
        daemon: "d",
        server: "node server.js",
      });
      expect(record.seq).toBe((result.lastSeq ?? 0) + 1);
      const after = readLog(dir);
      expect(after.lastTerminated).toBe(true);
      expect(JSON.parse(after.lines.at(-1)!).seq).toBe(record.seq);
      const again = await verifyAudit(dir);
      expect(again.records).toBe(result.records + 1);
      expect(again.breaks.every((item) => item.problem === "torn line")).toBe(true);
      expect(again.breaks).toHaveLength(torn);
    }
  }, 60_000);
});

/** Complete lines that are not JSON: torn fragments closed off by a later append. */
function closedOffFragments(dir: string): { file: string; line: number; problem: string }[] {
  const found: { file: string; line: number; problem: string }[] = [];
  for (const name of listAuditFiles(dir)) {
    const text = readFileSync(join(dir, name), "utf8");
    const parts = text.split("\n");
    parts.pop();
    parts.forEach((line, index) => {
      try {
        JSON.parse(line);
      } catch {
        found.push({ file: name, line: index + 1, problem: "torn line" });
      }
    });
  }
  return found;
}
