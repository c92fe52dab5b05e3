import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ERROR_CODES, exitCodeFor, isErrorCode, McpwardError } from "./errors.js";

// Written out from DESIGN.md §3, not derived from ERROR_CODES, so a wrong
// entry in the table shows up here.
const EXPECTED_EXIT_CODES: Record<string, number> = {
  TOOL_ERROR: 1,
  USAGE: 2,
  UNKNOWN_TOOL: 2,
  UNKNOWN_FLAG: 2,
  MISSING_ARGUMENT: 2,
  INVALID_ARGUMENT: 2,
  BAD_ENV_TOKEN: 2,
  BAD_SERVER_SPEC: 2,
  BAD_CONFIG: 2,
  BAD_LIMIT: 2,
  POLICY_DENIED: 3,
  APPROVAL_REFUSED: 3,
  SERVER_START_FAILED: 4,
  SERVER_CRASHED: 4,
  SERVER_PROTOCOL_ERROR: 4,
  SERVER_FAILED: 4,
  TIMEOUT: 5,
  DAEMON_UNREACHABLE: 6,
  DAEMON_FAILED: 6,
  HANDSHAKE_FAILED: 6,
  FRAME_TOO_LARGE: 6,
  BAD_FRAME: 6,
  BUSY: 6,
  RATE_LIMITED: 6,
  LIMIT_EXCEEDED: 6,
  UNSAFE_PATH: 6,
  INTERNAL: 6,
  CANCELLED: 130,
};

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("McpwardError.isInstance", () => {
  it("rejects values that merely look like errors", () => {
    expect(McpwardError.isInstance(undefined)).toBe(false);
    expect(McpwardError.isInstance(null)).toBe(false);
    expect(McpwardError.isInstance("McpwardError")).toBe(false);
    expect(McpwardError.isInstance(new Error("x"))).toBe(false);
    expect(McpwardError.isInstance({ name: "McpwardError", code: "INTERNAL" })).toBe(false);
    // A brand with a truthy but non-true value, or without a string code.
    expect(McpwardError.isInstance({ [Symbol.for("mcpward.error")]: 1, code: "INTERNAL" })).toBe(
      false,
    );
    expect(McpwardError.isInstance({ [Symbol.for("mcpward.error")]: true, code: 6 })).toBe(false);
    // A local symbol with the same description is not the shared brand.
    expect(McpwardError.isInstance({ [Symbol("mcpward.error")]: true, code: "INTERNAL" })).toBe(
      false,
    );
  });

  it("recognises its own errors", () => {
    expect(McpwardError.isInstance(new McpwardError("TIMEOUT", "took too long"))).toBe(true);
  });

  it("recognises an object carrying the shared Symbol.for brand", () => {
    const foreign = Object.assign(new Error("from elsewhere"), {
      [Symbol.for("mcpward.error")]: true,
      code: "BUSY",
    });
    expect(foreign instanceof McpwardError).toBe(false);
    expect(McpwardError.isInstance(foreign)).toBe(true);
  });

  it("recognises an error thrown by a second copy of the module", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcpward-errors-"));
    tempDirs.push(dir);
    const copy = join(dir, "errors.ts");
    copyFileSync(new URL("./errors.ts", import.meta.url), copy);
    const second = (await import(pathToFileURL(copy).href)) as typeof import("./errors.js");

    expect(second.McpwardError).not.toBe(McpwardError);
    const error = new second.McpwardError("POLICY_DENIED", "denied by rule x");
    expect(error instanceof McpwardError).toBe(false);
    expect(McpwardError.isInstance(error)).toBe(true);
    expect(second.McpwardError.isInstance(new McpwardError("INTERNAL", "x"))).toBe(true);
  });
});

describe("McpwardError", () => {
  it("carries code, message, cause and data", () => {
    const cause = new Error("EACCES");
    const error = new McpwardError("UNSAFE_PATH", "/x is a symlink; remove it", {
      cause,
      data: { path: "/x" },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("McpwardError");
    expect(error.code).toBe("UNSAFE_PATH");
    expect(error.message).toBe("/x is a symlink; remove it");
    expect(error.cause).toBe(cause);
    expect(error.data).toEqual({ path: "/x" });
    expect(error.stack).toContain("McpwardError");
  });

  it("has no cause property at all when none is given", () => {
    const error = new McpwardError("INTERNAL", "x");
    expect(Object.hasOwn(error, "cause")).toBe(false);
    expect(error.data).toBeUndefined();
  });

  it("keeps a falsy cause such as 0 or an empty string", () => {
    expect(new McpwardError("INTERNAL", "x", { cause: 0 }).cause).toBe(0);
    expect(new McpwardError("INTERNAL", "x", { cause: "" }).cause).toBe("");
  });
});

describe("exitCodeFor", () => {
  it("maps an unknown code, or a name from Object.prototype, to 6", () => {
    for (const code of ["NOPE", "", "toString", "__proto__", "constructor", "hasOwnProperty"]) {
      expect(exitCodeFor(code)).toBe(6);
    }
  });

  it("maps every code to its exit code from DESIGN.md §3", () => {
    for (const [code, exit] of Object.entries(EXPECTED_EXIT_CODES)) {
      expect({ code, exit: exitCodeFor(code) }).toEqual({ code, exit });
    }
  });

  it("knows exactly the documented codes, so a new one needs an entry here", () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(Object.keys(EXPECTED_EXIT_CODES).sort());
  });
});

describe("isErrorCode", () => {
  it("rejects non-strings and inherited property names", () => {
    for (const value of [undefined, null, 2, {}, "toString", "__proto__", "timeout"]) {
      expect(isErrorCode(value)).toBe(false);
    }
  });

  it("accepts the stable codes", () => {
    expect(isErrorCode("TIMEOUT")).toBe(true);
    expect(isErrorCode("CANCELLED")).toBe(true);
  });
});
