import { describe, expect, it } from "vitest";
import type { AuditRecord } from "./audit-record.js";
import { formatAuditTable, formatDuration } from "./audit-table.js";

const record = (overrides: Partial<AuditRecord>): AuditRecord => ({
  v: 1,
  seq: 1,
  time: "2024-05-01T12:03:04.567Z",
  event: "tool.call",
  project: "p",
  projectDir: "/p",
  daemon: "d",
  server: "node s.js",
  prev: "0".repeat(64),
  ...overrides,
});

describe("formatAuditTable", () => {
  it("lays records out in aligned columns under a header", () => {
    const table = formatAuditTable([
      record({ tool: "get_weather", outcome: "ok", durationMs: 850 }),
      record({
        seq: 2,
        time: "2024-05-01T12:04:00.000Z",
        event: "policy.decision",
        tool: "rm",
        decision: { action: "deny", rule: "tools.deny", reason: "never" },
      }),
      record({ seq: 3, event: "server.crash", error: { code: "SERVER_CRASHED", message: "x" } }),
    ]);
    expect(table).toBe(
      [
        "TIME                  EVENT            TOOL         OUTCOME  DURATION  DECISION",
        "2024-05-01T12:03:04Z  tool.call        get_weather  ok       850 ms",
        "2024-05-01T12:04:00Z  policy.decision  rm                              deny tools.deny",
        "2024-05-01T12:03:04Z  server.crash                  failed",
        "",
      ].join("\n"),
    );
  });

  it("strips terminal escapes and newlines from record text and cuts long cells", () => {
    const table = formatAuditTable([
      record({ tool: `evil\x1b]52;c;aGk=\x07\nname${"x".repeat(60)}` }),
    ]);
    expect(table).not.toContain("\x1b");
    expect(table.split("\n")).toHaveLength(3);
    expect(table).toContain(`evil name${"x".repeat(22)}…`);
  });

  it("is the header alone with no records", () => {
    expect(formatAuditTable([])).toBe("TIME  EVENT  TOOL  OUTCOME  DURATION  DECISION\n");
  });
});

describe("formatDuration", () => {
  it("uses ms, seconds, then minutes", () => {
    expect(formatDuration(12)).toBe("12 ms");
    expect(formatDuration(12_400)).toBe("12.4 s");
    expect(formatDuration(185_000)).toBe("3m 05s");
  });
});
