import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REDACTED } from "@mcpward/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportAudit } from "./audit-export.js";
import { AuditWriter } from "./audit-writer.js";

let root: string;
let dir: string;
const CANARY = "canary-export-4d9e2b";

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "mcpward-export-"));
  dir = join(root, "log");
  const writer = AuditWriter.open({ dir, secrets: [CANARY] });
  const base = {
    project: "proj1",
    projectDir: "/work/p",
    daemon: "d1",
    server: "node s.js",
  } as const;
  await writer.append({ ...base, event: "server.start" });
  await writer.append({
    ...base,
    event: "tool.call",
    tool: "search",
    arguments: { q: "cats", token: CANARY },
    outcome: "ok",
    durationMs: 40,
    resultBytes: 120,
    clientPid: 4242,
  });
  await writer.append({
    ...base,
    event: "tool.call",
    tool: "delete",
    arguments: { path: `/x/${CANARY}` },
    outcome: "denied",
    decision: { action: "deny", rule: "tools.deny", reason: "not allowed" },
  });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("exportAudit", () => {
  it("writes one evidence document: verification, calls with redacted arguments, other events", async () => {
    const now = new Date("2030-01-01T00:00:00.000Z");
    const doc = await exportAudit(dir, { now });
    expect(doc).toMatchObject({
      format: "mcpward-audit-evidence",
      generatedAt: "2030-01-01T00:00:00.000Z",
      project: "proj1",
      projectDir: "/work/p",
      since: null,
      verify: { ok: true, records: 3 },
      summary: { records: 3, calls: 2, outcomes: { ok: 1, denied: 1 }, skippedLines: 0 },
    });
    expect(doc.calls).toEqual([
      expect.objectContaining({
        seq: 2,
        tool: "search",
        arguments: { q: "cats", token: REDACTED },
        durationMs: 40,
        outcome: "ok",
        decision: null,
        clientPid: 4242,
      }),
      expect.objectContaining({
        seq: 3,
        tool: "delete",
        outcome: "denied",
        decision: { action: "deny", rule: "tools.deny", reason: "not allowed" },
      }),
    ]);
    expect(doc.events).toEqual([expect.objectContaining({ seq: 1, event: "server.start" })]);
    expect(JSON.stringify(doc)).not.toContain(CANARY);
  });

  it("limits calls to --since but verifies the whole log", async () => {
    const lines = readFileSync(join(dir, "audit.jsonl"), "utf8").split("\n");
    lines[0] = lines[0]!.replace("server.start", "server.stop");
    writeFileSync(join(dir, "audit.jsonl"), lines.join("\n"));
    const doc = await exportAudit(dir, { since: new Date(Date.now() + 60_000) });
    expect(doc.calls).toEqual([]);
    expect(doc.verify.ok).toBe(false);
    expect(doc.verify.breaks[0]).toMatchObject({ line: 1, problem: "edited" });
  });
});
