import { describe, expect, it } from "vitest";
import { McpwardError } from "./errors.js";
import { LIMITS, resolveLimits } from "./limits.js";

function thrown(fn: () => unknown): McpwardError {
  try {
    fn();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an McpwardError, nothing was thrown");
}

describe("resolveLimits: invalid values", () => {
  it.each(["abc", "-1", "1e3", "0x10", "12abc", "1_000", "Infinity", "NaN", " ", "１２"])(
    "rejects MCPWARD_MAX_CONNECTIONS=%j, naming the variable",
    (raw) => {
      const error = thrown(() => resolveLimits({ MCPWARD_MAX_CONNECTIONS: raw }));
      expect(error.code).toBe("BAD_LIMIT");
      expect(error.message).toMatch(/^MCPWARD_MAX_CONNECTIONS=/);
      expect(error.message).toMatch(/is not a whole number; set it to a whole number between 1/);
      expect(error.data).toEqual({ variable: "MCPWARD_MAX_CONNECTIONS" });
    },
  );

  it.each(["-1", "1e3", "1.", ".5", "abc", "5s"])(
    "rejects MCPWARD_TOOL_TIMEOUT=%j as not a number of seconds",
    (raw) => {
      const error = thrown(() => resolveLimits({ MCPWARD_TOOL_TIMEOUT: raw }));
      expect(error.code).toBe("BAD_LIMIT");
      expect(error.message).toMatch(/^MCPWARD_TOOL_TIMEOUT=.* is not a number of seconds/);
    },
  );

  it("rejects a fractional count", () => {
    expect(thrown(() => resolveLimits({ MCPWARD_MAX_FRAME_BYTES: "1024.5" })).message).toMatch(
      /MCPWARD_MAX_FRAME_BYTES/,
    );
  });

  it("shortens a very long bad value in the message", () => {
    const error = thrown(() => resolveLimits({ MCPWARD_IDLE_TIMEOUT: "x".repeat(10_000) }));
    expect(error.message.length).toBeLessThan(300);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])("rejects an override of %s", (value) => {
    const error = thrown(() => resolveLimits({}, { toolTimeout: value }));
    expect(error.code).toBe("BAD_LIMIT");
    expect(error.message).toMatch(/toolTimeout must be a finite number/);
  });
});

describe("resolveLimits: defaults and overrides", () => {
  it("uses the documented defaults, with seconds turned into milliseconds", () => {
    const { limits, warnings } = resolveLimits({});
    expect(warnings).toEqual([]);
    expect(limits).toEqual({
      maxFrameBytes: 64 * 1024 * 1024,
      maxConnections: 128,
      handshakeTimeout: 3000,
      connectionIdleTimeout: 300_000,
      idleTimeout: 1_800_000,
      toolTimeout: 600_000,
      startupTimeout: 30_000,
      maxInFlight: 256,
      callRate: 1000,
      serverMemoryMb: 0,
      maxDaemons: 64,
    });
  });

  it("treats an empty variable as unset", () => {
    expect(resolveLimits({ MCPWARD_IDLE_TIMEOUT: "" }).limits.idleTimeout).toBe(1_800_000);
  });

  it("reads every MCPWARD_* variable in the table", () => {
    const { limits } = resolveLimits({
      MCPWARD_MAX_FRAME_BYTES: "2048",
      MCPWARD_MAX_CONNECTIONS: "7",
      MCPWARD_IDLE_TIMEOUT: "60",
      MCPWARD_TOOL_TIMEOUT: "1.5",
      MCPWARD_STARTUP_TIMEOUT: " 10 ",
      MCPWARD_MAX_IN_FLIGHT: "9",
      MCPWARD_CALL_RATE: "50",
      MCPWARD_SERVER_MEMORY_MB: "100",
      MCPWARD_MAX_DAEMONS: "3",
    });
    expect(limits).toMatchObject({
      maxFrameBytes: 2048,
      maxConnections: 7,
      idleTimeout: 60_000,
      toolTimeout: 1500,
      startupTimeout: 10_000,
      maxInFlight: 9,
      callRate: 50,
      serverMemoryMb: 100,
      maxDaemons: 3,
    });
  });

  it("ignores unrelated variables and limits that have no variable", () => {
    const { limits } = resolveLimits({ HANDSHAKE_TIMEOUT: "1", MCPWARD_HANDSHAKE_TIMEOUT: "1" });
    expect(limits.handshakeTimeout).toBe(3000);
  });

  it("lets explicit overrides win over the environment", () => {
    const { limits } = resolveLimits({ MCPWARD_TOOL_TIMEOUT: "5" }, { toolTimeout: 7 });
    expect(limits.toolTimeout).toBe(7000);
  });

  it("reads process.env when no env is given", () => {
    process.env.MCPWARD_MAX_IN_FLIGHT = "33";
    try {
      expect(resolveLimits().limits.maxInFlight).toBe(33);
    } finally {
      delete process.env.MCPWARD_MAX_IN_FLIGHT;
    }
  });
});

describe("resolveLimits: clamping", () => {
  it("clamps a value below the range and says so, naming the variable", () => {
    const { limits, warnings } = resolveLimits({ MCPWARD_MAX_CONNECTIONS: "0" });
    expect(limits.maxConnections).toBe(1);
    expect(warnings).toEqual(["MCPWARD_MAX_CONNECTIONS=0 is outside 1..10000 count; using 1"]);
  });

  it("clamps a value above the range, even an enormous one", () => {
    const { limits, warnings } = resolveLimits({ MCPWARD_MAX_FRAME_BYTES: "9".repeat(400) });
    expect(limits.maxFrameBytes).toBe(LIMITS.maxFrameBytes.max);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^MCPWARD_MAX_FRAME_BYTES=.* is outside 1024\.\.1073741824 bytes/);
  });

  it("clamps an override and names the limit", () => {
    const { limits, warnings } = resolveLimits({}, { handshakeTimeout: -5 });
    expect(limits.handshakeTimeout).toBe(50);
    expect(warnings).toEqual(["handshakeTimeout=-5 is outside 0.05..60 s; using 0.05"]);
  });

  it("accepts the exact ends of a range without a warning", () => {
    const { limits, warnings } = resolveLimits({
      MCPWARD_MAX_CONNECTIONS: "1",
      MCPWARD_CALL_RATE: "1000000",
    });
    expect(warnings).toEqual([]);
    expect(limits.maxConnections).toBe(1);
    expect(limits.callRate).toBe(1_000_000);
  });
});

describe("LIMITS", () => {
  it("has every default inside its own range", () => {
    for (const [name, def] of Object.entries(LIMITS)) {
      expect({ name, inRange: def.min <= def.default && def.default <= def.max }).toEqual({
        name,
        inRange: true,
      });
    }
  });
});
