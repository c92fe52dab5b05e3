import { describe, expect, it } from "vitest";
import { compareStatus } from "./status-order.js";
import type { StatusRecord } from "./status-table.js";

function record(projectDir: string, startedAt?: string): StatusRecord {
  return {
    daemonId: `${projectDir}|${startedAt}`,
    projectDir,
    state: "ready",
    server: "node s.mjs",
    pid: 1,
    serverPid: 2,
    ...(startedAt === undefined ? {} : { startedAt }),
  };
}

/** The comparison daemon status used before: localeCompare throughout. */
function byLocale(a: StatusRecord, b: StatusRecord): number {
  return (
    String(a.projectDir).localeCompare(String(b.projectDir)) ||
    String(a.startedAt).localeCompare(String(b.startedAt))
  );
}

describe("compareStatus", () => {
  it("orders records exactly as localeCompare does", () => {
    const dirs = ["/work/b", "/work/B", "/work/a", "/work/a-b", "/work/a_b", "/Work/ä", "/work/10"];
    const times = [
      "2026-11-27T16:52:11.123Z",
      "2026-11-27T16:52:11.124Z",
      "2026-11-27T09:00:00.000Z",
      "2025-12-31T23:59:59.999Z",
      "not a time",
      undefined,
    ];
    const records = dirs.flatMap((dir) => times.map((time) => record(dir, time)));
    const shuffled = [...records].reverse();
    expect([...shuffled].sort(compareStatus).map((r) => r.daemonId)).toEqual(
      [...shuffled].sort(byLocale).map((r) => r.daemonId),
    );
    for (const a of records) {
      for (const b of records)
        expect(Math.sign(compareStatus(a, b))).toBe(Math.sign(byLocale(a, b)));
    }
  });
});
