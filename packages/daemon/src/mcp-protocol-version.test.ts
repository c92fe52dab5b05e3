import * as sdk from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "./mcp-protocol-version.js";

// The daemon does not load the SDK at runtime; these constants are its copy.
// When an SDK upgrade changes them, this fails: update the copy (and check
// that the session still speaks what the new versions need).
describe("MCP protocol versions", () => {
  it("match the SDK's latest version", () => {
    expect(LATEST_PROTOCOL_VERSION).toBe(sdk.LATEST_PROTOCOL_VERSION);
  });

  it("match the SDK's supported versions, in order", () => {
    expect([...SUPPORTED_PROTOCOL_VERSIONS]).toEqual([...sdk.SUPPORTED_PROTOCOL_VERSIONS]);
  });
});
