import { describe, expect, it } from "vitest";
import { parseSince } from "./parse-since.js";

const now = new Date("2024-05-10T12:00:00.000Z");

describe("parseSince", () => {
  it("reads durations back from now", () => {
    expect(parseSince("30s", now).toISOString()).toBe("2024-05-10T11:59:30.000Z");
    expect(parseSince("10m", now).toISOString()).toBe("2024-05-10T11:50:00.000Z");
    expect(parseSince("1h", now).toISOString()).toBe("2024-05-10T11:00:00.000Z");
    expect(parseSince("2d", now).toISOString()).toBe("2024-05-08T12:00:00.000Z");
    expect(parseSince("1w", now).toISOString()).toBe("2024-05-03T12:00:00.000Z");
  });

  it("reads ISO dates and times", () => {
    expect(parseSince("2024-05-01", now).toISOString()).toBe("2024-05-01T00:00:00.000Z");
    expect(parseSince("2024-05-01T08:30:00Z", now).toISOString()).toBe("2024-05-01T08:30:00.000Z");
    expect(parseSince("2024-05-01T08:30:00+02:00", now).toISOString()).toBe(
      "2024-05-01T06:30:00.000Z",
    );
  });

  it("refuses anything else with one USAGE line naming the accepted forms", () => {
    for (const bad of ["", "10", "1y", "-1h", "yesterday", "2024-13-45", "1h30m"]) {
      let error: unknown;
      try {
        parseSince(bad, now);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: "USAGE" });
      const message = (error as Error).message;
      expect(message).not.toContain("\n");
      expect(message).toMatch(/30s, 10m, 1h, 2d or 1w.*ISO date/);
    }
  });
});
