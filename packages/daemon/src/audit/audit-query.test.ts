import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAudit } from "./audit-query.js";
import type { AuditEntry } from "./audit-record.js";
import { AuditWriter } from "./audit-writer.js";

let root: string;
let dir: string;

const base = { project: "p", projectDir: "/p", daemon: "d", server: "node s.js" } as const;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "mcpward-query-"));
  dir = join(root, "log");
  const writer = AuditWriter.open({ dir, maxBytes: 1000, keepFiles: 50 });
  const entries: AuditEntry[] = [
    { ...base, event: "server.start" },
    { ...base, event: "tool.call", tool: "get_weather", outcome: "ok", durationMs: 5 },
    {
      ...base,
      event: "policy.decision",
      tool: "rm_rf",
      decision: { action: "deny", rule: "tools.deny", reason: "no" },
    },
    { ...base, event: "tool.call", tool: "rm_rf", outcome: "denied" },
    { ...base, event: "tool.call", tool: "get-weather", outcome: "timeout", durationMs: 600_000 },
  ];
  for (const entry of entries) await writer.append(entry);
  // A torn tail, as a writer killed mid-write would leave.
  appendFileSync(join(dir, "audit.jsonl"), '{"v":1,"seq":6,"ti');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("readAudit", () => {
  it("reads every record across rotated files, oldest first, counting torn lines", async () => {
    const result = await readAudit(dir);
    expect(result.files.length).toBeGreaterThan(1);
    expect(result.records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(result.skipped).toBe(1);
  });

  it("filters by tool (any name variant), outcome and event", async () => {
    const weather = await readAudit(dir, { tool: "getWeather" });
    expect(weather.records.map((record) => record.seq)).toEqual([2, 5]);
    const denied = await readAudit(dir, { outcome: "denied" });
    expect(denied.records.map((record) => record.seq)).toEqual([4]);
    const decisions = await readAudit(dir, { event: "policy.decision", tool: "rm_rf" });
    expect(decisions.records.map((record) => record.seq)).toEqual([3]);
  });

  it("filters by time", async () => {
    expect((await readAudit(dir, { since: new Date(Date.now() - 60_000) })).records).toHaveLength(
      5,
    );
    expect((await readAudit(dir, { since: new Date(Date.now() + 60_000) })).records).toHaveLength(
      0,
    );
  });

  it("reads a missing directory as an empty log", async () => {
    expect(await readAudit(join(root, "none"))).toEqual({ records: [], skipped: 0, files: [] });
  });
});
