import { describe, expect, it } from "vitest";
import { formatDuration } from "./format.js";
import { renderStatusTable, type StatusRecord } from "./status-table.js";

describe("formatDuration", () => {
  it("shows the two largest units", () => {
    expect([5_000, 192_000, 7_500_000, 97_200_000].map(formatDuration)).toEqual([
      "5s",
      "3m12s",
      "2h05m",
      "1d03h",
    ]);
  });
});

describe("renderStatusTable", () => {
  const now = Date.parse("2025-01-31T12:00:00Z");
  const ready: StatusRecord = {
    daemonId: "0123456789abcdef01234567",
    projectDir: "/p",
    state: "ready",
    server: "API_KEY=*** node server.mjs",
    pid: 10,
    serverPid: 11,
    uptimeMs: 65_000,
    lastUsedAt: "2025-01-31T11:59:50Z",
    calls: 3,
    restarts: 1,
    tools: 4,
    memory: { daemon: 50 * 1024 * 1024, server: 30 * 1024 * 1024 },
    idleRemainingMs: 1_790_000,
    lastError: "server exited (exit code 1)",
  };
  const stale: StatusRecord = {
    daemonId: "fedcba9876543210fedcba98",
    projectDir: "/q",
    state: "stale",
    server: "node other.mjs",
    pid: 20,
    serverPid: null,
  };

  it("prints one aligned row per daemon and the last error below it", () => {
    const lines = renderStatusTable([ready, stale], { groupByProject: false, now }).split("\n");
    expect(lines[0]).toMatch(
      /^ID +STATE +PIDS +UPTIME +LAST USED +CALLS +RESTARTS +TOOLS +MEMORY +IDLE LEFT +SERVER$/,
    );
    expect(lines[1]).toMatch(
      /^01234567 +ready +10\/11 +1m05s +10s ago +3 +1 +4 +50\.0M\/30\.0M +29m50s +API_KEY=\*\*\* node server\.mjs$/,
    );
    expect(lines[2]).toBe("  last error: server exited (exit code 1)");
    expect(lines[3]).toMatch(/^fedcba98 +stale +20\/- +- +- +- +- +- +- +- +node other\.mjs$/);
    expect(lines[1]!.indexOf("API_KEY")).toBe(lines[0]!.indexOf("SERVER"));
  });

  it("shows the last stderr lines under the last error, and nothing for a healthy daemon", () => {
    const crashed: StatusRecord = {
      ...ready,
      state: "crashed",
      serverPid: null,
      lastError: "server exited (exit code 3)",
      recentStderr: ["one", "two", "three", "four"],
    };
    const lines = renderStatusTable([crashed], { groupByProject: false, now }).split("\n");
    expect(lines.slice(2, 6)).toEqual([
      "  last error: server exited (exit code 3)",
      "  stderr: two",
      "  stderr: three",
      "  stderr: four",
    ]);
    const healthy = { ...ready, lastError: null, recentStderr: ["chatter"] };
    expect(renderStatusTable([healthy], { groupByProject: false, now })).not.toContain("stderr");
  });

  it("shows a configured server that is not running by name, with its known tool count", () => {
    const notStarted: StatusRecord = {
      daemonId: "abcdef0123456789abcdef01",
      projectDir: "/p",
      state: "not started",
      name: "github",
      server: "GITHUB_TOKEN=*** npx -y @modelcontextprotocol/server-github",
      pid: null,
      serverPid: null,
      tools: 26,
    };
    const unresolved: StatusRecord = { ...notStarted, daemonId: "", name: "db", tools: null };
    const lines = renderStatusTable([notStarted, unresolved], { groupByProject: false, now }).split(
      "\n",
    );
    expect(lines[1]).toMatch(
      /^abcdef01 +not started +- +- +- +- +- +26 +- +- +github: GITHUB_TOKEN=\*\*\* npx -y @modelcontextprotocol\/server-github$/,
    );
    expect(lines[2]).toMatch(/^- +not started +- .* db: GITHUB_TOKEN=/);
  });

  it("groups by project for --all", () => {
    const text = renderStatusTable([ready, stale], { groupByProject: true, now });
    expect(text).toMatch(/^project \/p$/m);
    expect(text).toMatch(/^project \/q$/m);
  });
});
