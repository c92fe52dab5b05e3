import { describe, expect, it } from "vitest";
import { mergeLogLines, parseLogLines, parseSince } from "./log-lines.js";

describe("parseSince", () => {
  const now = Date.parse("2025-01-31T12:00:00Z");

  it("reads durations back from now and ISO times", () => {
    expect(parseSince("10m", now)).toBe(now - 600_000);
    expect(parseSince("1.5h", now)).toBe(now - 5_400_000);
    expect(parseSince("2d", now)).toBe(now - 172_800_000);
    expect(parseSince("2025-01-30T00:00:00Z", now)).toBe(Date.parse("2025-01-30T00:00:00Z"));
  });

  it("rejects anything else as a usage error", () => {
    expect(() => parseSince("yesterday", now)).toThrow(/--since needs a duration/);
    expect(() => parseSince("10", now)).toThrow(/--since/);
  });
});

describe("log lines", () => {
  const a = parseLogLines(
    "2025-01-31T10:00:00.000Z daemon: a1\n2025-01-31T10:00:02.000Z server: a2\nno time\n",
    "[a] ",
  );
  const b = parseLogLines("2025-01-31T10:00:01.000Z daemon: b1\n", "[b] ");

  it("gives a line without a timestamp the previous line's time", () => {
    expect(a.map((l) => l.time)).toEqual([
      Date.parse("2025-01-31T10:00:00Z"),
      Date.parse("2025-01-31T10:00:02Z"),
      Date.parse("2025-01-31T10:00:02Z"),
    ]);
  });

  it("merges logs in time order and filters by --since", () => {
    expect(
      mergeLogLines([a, b], undefined).map((l) => l.prefix + l.text.replace(/^\S+Z /, "")),
    ).toEqual(["[a] daemon: a1", "[b] daemon: b1", "[a] server: a2", "[a] no time"]);
    expect(mergeLogLines([a, b], Date.parse("2025-01-31T10:00:01Z"))).toHaveLength(3);
  });
});
