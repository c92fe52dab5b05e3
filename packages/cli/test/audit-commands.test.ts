import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { computeProjectId } from "@mcpward/core/light";
import { type AuditEntry, AuditWriter, auditDirectory } from "@mcpward/daemon";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, destroySandbox, lines, runCli, type Sandbox } from "./helpers.js";

// The daemon does not write audit records yet; these tests write them with
// the library the daemon will use, then read them back through the CLI.

const CANARY = "canary-env-value-7f3a";

let sandbox: Sandbox;
let dir: string;
/** Time between the first two records and the third, for --since. */
let middle: Date;

function entry(projectDir: string, extra: Partial<AuditEntry>): AuditEntry {
  return {
    event: "tool.call",
    project: computeProjectId(projectDir),
    projectDir,
    daemon: "0123456789abcdef01234567",
    server: { command: "node", args: ["server.mjs"], env: { API_KEY: CANARY } },
    ...extra,
  };
}

async function writeRecords(projectDir: string, entries: AuditEntry[]): Promise<string> {
  const logDir = auditDirectory(computeProjectId(projectDir), sandbox.env);
  const writer = AuditWriter.open({ dir: logDir, secrets: [CANARY] });
  try {
    for (const e of entries) await writer.append(e);
  } finally {
    await writer.close();
  }
  return logDir;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  sandbox = createSandbox({ projectServers: false });
  dir = auditDirectory(computeProjectId(sandbox.project), sandbox.env);
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

describe("audit commands before any record exists", () => {
  it("audit, audit verify and audit export say there is no log yet and exit 0", async () => {
    for (const args of [["audit"], ["audit", "list"], ["audit", "verify"]]) {
      const result = await runCli(sandbox, args);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toBe(`no audit log for this project yet (${dir})\n`);
    }
    const exported = await runCli(sandbox, ["audit", "export"]);
    expect(exported).toMatchObject({ code: 0, stdout: "" });
    expect(exported.stderr).toContain(`no audit log for this project yet (${dir})`);
    expect(existsSync(dir)).toBe(false);
  });

  it("audit --json prints nothing and verify --json reports an empty, intact log", async () => {
    expect(await runCli(sandbox, ["audit", "--json"])).toMatchObject({ code: 0, stdout: "" });
    const verify = await runCli(sandbox, ["audit", "verify", "--json"]);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, exists: false, records: 0, dir });
  });

  it("rejects a bad --since, an unknown subcommand and a server with usage errors", async () => {
    const since = await runCli(sandbox, ["audit", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/^mcpward: invalid --since value "yesterday": use a duration/);
    expect((await runCli(sandbox, ["audit", "export", "--since", "5 min"])).code).toBe(2);
    const typo = await runCli(sandbox, ["audit", "verfy"]);
    expect(typo).toMatchObject({ code: 2 });
    expect(typo.stderr).toContain('unknown audit command "verfy"; did you mean verify?');
    const outcome = await runCli(sandbox, ["audit", "--outcome", "nope"]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('invalid value "nope" for --outcome; use one of ok,');
    const server = await runCli(sandbox, ["audit", "--", "node", "server.mjs"]);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain("mcpward audit takes no server after --");
  });
});

describe("reading the audit log", () => {
  beforeAll(async () => {
    await writeRecords(sandbox.project, [
      entry(sandbox.project, { event: "server.start" }),
      entry(sandbox.project, {
        tool: "get_weather",
        arguments: { city: "Oslo", note: `key ${CANARY}` },
        durationMs: 42,
        outcome: "ok",
        resultBytes: 120,
        decision: { action: "allow", rule: "tool.allow", reason: "listed in allow" },
      }),
    ]);
    await sleep(20);
    middle = new Date();
    await sleep(20);
    await writeRecords(sandbox.project, [
      entry(sandbox.project, {
        tool: "delete_file",
        arguments: { path: "/etc/passwd" },
        durationMs: 3,
        outcome: "denied",
        decision: { action: "deny", rule: "path.outside-roots", reason: "outside the roots" },
      }),
    ]);
  });

  it("prints a table with one row per record, oldest first", async () => {
    const result = await runCli(sandbox, ["audit"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const rows = lines(result.stdout);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^TIME\s+EVENT\s+TOOL\s+OUTCOME\s+DURATION\s+DECISION$/);
    expect(rows[1]).toMatch(/Z\s+server\.start$/);
    expect(rows[2]).toMatch(/tool\.call\s+get_weather\s+ok\s+42 ms\s+allow tool\.allow$/);
    expect(rows[3]).toMatch(/tool\.call\s+delete_file\s+denied\s+3 ms\s+deny path\.outside-roots$/);
    expect(result.stdout).not.toContain(CANARY);
  });

  it("prints JSON lines with --json, before or after the command word", async () => {
    for (const args of [
      ["audit", "--json"],
      ["--json", "audit"],
    ]) {
      const result = await runCli(sandbox, args);
      expect(result.code).toBe(0);
      const records = lines(result.stdout).map((line) => JSON.parse(line));
      expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(records[1]).toMatchObject({
        event: "tool.call",
        tool: "get_weather",
        outcome: "ok",
        server: "API_KEY=*** node server.mjs",
      });
      expect(result.stdout).not.toContain(CANARY);
    }
  });

  it("filters by tool (any name variant), outcome, event and --since", async () => {
    const seqs = async (args: string[]): Promise<number[]> => {
      const result = await runCli(sandbox, ["audit", "--json", ...args]);
      expect(result.code).toBe(0);
      return lines(result.stdout).map((line) => JSON.parse(line).seq);
    };
    expect(await seqs(["--tool", "get-weather"])).toEqual([2]);
    expect(await seqs(["--tool", "getWeather"])).toEqual([2]);
    expect(await seqs(["--outcome", "denied"])).toEqual([3]);
    expect(await seqs(["--event", "server.start"])).toEqual([1]);
    expect(await seqs(["--since", "1h"])).toEqual([1, 2, 3]);
    expect(await seqs(["--since", middle.toISOString()])).toEqual([3]);
    expect(await seqs(["--tool", "get_weather", "--outcome", "denied"])).toEqual([]);
  });

  it("says so when no record matches the filters", async () => {
    const result = await runCli(sandbox, ["audit", "--since", "2999-01-01"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(`no audit records match --since 2999-01-01 (${dir})\n`);
  });

  it("with --all, shows every project's log under its directory", async () => {
    const other = join(sandbox.root, "other-project");
    mkdirSync(other);
    await writeRecords(other, [entry(other, { event: "server.stop" })]);
    const result = await runCli(sandbox, ["audit", "--all"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${sandbox.project} (${computeProjectId(sandbox.project)})`);
    expect(result.stdout).toContain(`${other} (${computeProjectId(other)})`);
    expect(result.stdout).toMatch(/server\.stop/);
    // Without --all, only this project's.
    expect((await runCli(sandbox, ["audit"])).stdout).not.toMatch(/server\.stop/);
  });
});

describe("audit export", () => {
  it("writes one JSON evidence document to stdout", async () => {
    const result = await runCli(sandbox, ["audit", "export"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      format: "mcpward-audit-evidence",
      v: 1,
      project: computeProjectId(sandbox.project),
      projectDir: sandbox.project,
      verify: { ok: true, records: 3 },
      summary: { records: 3, calls: 2, outcomes: { ok: 1, denied: 1 } },
    });
    expect(doc.calls.map((c: { tool: string }) => c.tool)).toEqual(["get_weather", "delete_file"]);
    expect(doc.calls[0]).toMatchObject({ durationMs: 42, outcome: "ok" });
    expect(doc.events.map((e: { event: string }) => e.event)).toEqual(["server.start"]);
    expect(result.stdout).not.toContain(CANARY);
  });

  it("limits the document with --since", async () => {
    const result = await runCli(sandbox, ["audit", "export", "--since", middle.toISOString()]);
    const doc = JSON.parse(result.stdout);
    expect(doc.since).toBe(middle.toISOString());
    expect(doc.summary).toMatchObject({ records: 1, calls: 1 });
  });

  it("creates --output 0600 and never overwrites an existing file or follows a symlink", async () => {
    const file = join(sandbox.root, "evidence.json");
    const result = await runCli(sandbox, ["audit", "export", "--output", file]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(`wrote ${file}: 3 record(s), 2 tool call(s), chain intact\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = readFileSync(file, "utf8");
    expect(JSON.parse(written).summary.records).toBe(3);

    const again = await runCli(sandbox, ["audit", "export", "-o", file]);
    expect(again).toMatchObject({ code: 2, stdout: "" });
    expect(again.stderr).toBe(
      `mcpward: ${file} already exists; audit export never overwrites a file: choose another name or remove it first\n`,
    );
    expect(readFileSync(file, "utf8")).toBe(written);

    const target = join(sandbox.root, "target.json");
    const link = join(sandbox.root, "link.json");
    symlinkSync(target, link);
    expect((await runCli(sandbox, ["audit", "export", "--output", link])).code).toBe(2);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

describe("audit verify", () => {
  it("reports an intact chain and exits 0", async () => {
    const result = await runCli(sandbox, ["audit", "verify"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(`audit log intact: 3 records in 1 file, last seq 3 (${dir})\n`);
  });

  it("names the file and line of an edited record and exits 1", async () => {
    const file = join(dir, "audit.jsonl");
    const original = readFileSync(file, "utf8");
    try {
      const edited = original.replace('"durationMs":42', '"durationMs":1');
      expect(edited).not.toBe(original);
      writeFileSync(file, edited);
      const result = await runCli(sandbox, ["audit", "verify"]);
      expect(result.code).toBe(1);
      const out = lines(result.stdout);
      expect(out[0]).toMatch(
        new RegExp(`^${file.replaceAll(".", "\\.")}:2: edited \\(record seq 2 `),
      );
      expect(out.at(-1)).toBe(`audit log BROKEN: 1 problem, 3 records in 1 file (${dir})`);

      const json = await runCli(sandbox, ["audit", "verify", "--json"]);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        breaks: [{ file: "audit.jsonl", line: 2, problem: "edited" }],
      });

      // The export still works, records the break and warns.
      const exported = await runCli(sandbox, ["audit", "export"]);
      expect(exported.code).toBe(0);
      expect(JSON.parse(exported.stdout).verify.ok).toBe(false);
      expect(exported.stderr).toContain("warning: the audit log's chain is broken");
    } finally {
      writeFileSync(file, original);
    }
    expect((await runCli(sandbox, ["audit", "verify"])).code).toBe(0);
  });

  it("detects a deleted line", async () => {
    const file = join(dir, "audit.jsonl");
    const original = readFileSync(file, "utf8");
    try {
      const kept = original.split("\n").filter((_, i) => i !== 1);
      writeFileSync(file, kept.join("\n"));
      const result = await runCli(sandbox, ["audit", "verify"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/audit\.jsonl:2: (deleted or reordered|sequence gap) /);
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe("records written by a daemon", () => {
  it("a tool call through the daemon shows up in audit, without the env value, and verifies", async () => {
    const project = join(sandbox.root, "called-project");
    mkdirSync(project);
    const server = ["--", `API_KEY=${CANARY}`, "node", servers.echo];
    // --yes: the fixture server is third-party (level 3) and would ask.
    const call = await runCli(sandbox, ["--yes", "echo", "--text", "hi", ...server], {
      cwd: project,
    });
    expect(call).toMatchObject({ code: 0, stdout: "hi\n" });
    await runCli(sandbox, ["daemon", "stop", "--all"], { cwd: project });

    const listed = await runCli(sandbox, ["audit", "--json"], { cwd: project });
    expect(listed.code).toBe(0);
    const records = lines(listed.stdout).map((line) => JSON.parse(line));
    expect(records).toContainEqual(
      expect.objectContaining({
        event: "tool.call",
        tool: "echo",
        outcome: "ok",
        projectDir: project,
      }),
    );
    expect(listed.stdout).not.toContain(CANARY);
    const table = await runCli(sandbox, ["audit", "--tool", "echo"], { cwd: project });
    expect(table.stdout).toMatch(/tool\.call\s+echo\s+ok\s/);
    const verify = await runCli(sandbox, ["audit", "verify"], { cwd: project });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^audit log intact: \d+ records in 1 file/);
  });
});
