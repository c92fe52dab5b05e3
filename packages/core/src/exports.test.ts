import { describe, expect, it } from "vitest";
import * as index from "./index.js";
import * as light from "./light.js";

// Every exported name is a promise to other repositories: a change to these
// lists must be deliberate and visible in review.
describe("public runtime exports", () => {
  it("of @mcpward/core are exactly these", () => {
    expect(Object.keys(index).sort()).toMatchInlineSnapshot(`
      [
        "ClientAuthSchema",
        "ClientHelloSchema",
        "ERROR_CODES",
        "EventSchema",
        "LIMITS",
        "MAX_SOCKET_PATH_BYTES",
        "McpwardError",
        "NdjsonDecoder",
        "PROTOCOL_VERSION",
        "ParamsSchemas",
        "REDACTED",
        "RequestSchema",
        "ResponseSchema",
        "ServerHelloSchema",
        "checkSocketPathLength",
        "computeDaemonId",
        "computeProjectId",
        "computeProof",
        "configRoot",
        "createNonce",
        "createSecret",
        "daemonPaths",
        "deepSanitize",
        "editDistance",
        "encodeFrame",
        "ensurePrivateDir",
        "exitCodeFor",
        "isErrorCode",
        "isPathLikeCommand",
        "isPrototypeKey",
        "isSecretKey",
        "normaliseCommand",
        "parseServerSpec",
        "redactSecrets",
        "removeSocketSafely",
        "requestedProfile",
        "resolveLimits",
        "runtimeRoot",
        "secretArgValues",
        "stateRoot",
        "stripTerminalEscapes",
        "verifyProof",
        "writeFileAtomic",
      ]
    `);
  });

  it("of @mcpward/core/light are exactly these", () => {
    expect(Object.keys(light).sort()).toMatchInlineSnapshot(`
      [
        "ERROR_CODES",
        "LIMITS",
        "MAX_SOCKET_PATH_BYTES",
        "McpwardError",
        "NdjsonDecoder",
        "PROTOCOL_VERSION",
        "REDACTED",
        "checkSocketPathLength",
        "computeDaemonId",
        "computeProjectId",
        "computeProof",
        "configRoot",
        "createNonce",
        "createSecret",
        "daemonPaths",
        "deepSanitize",
        "editDistance",
        "encodeFrame",
        "ensurePrivateDir",
        "exitCodeFor",
        "isErrorCode",
        "isPathLikeCommand",
        "isPrototypeKey",
        "isSecretKey",
        "normaliseCommand",
        "parseServerSpec",
        "redactSecrets",
        "removeSocketSafely",
        "requestedProfile",
        "resolveLimits",
        "runtimeRoot",
        "secretArgValues",
        "stateRoot",
        "stripTerminalEscapes",
        "verifyProof",
        "writeFileAtomic",
      ]
    `);
  });

  it("of the light entry are all in the main entry, as the same values", () => {
    for (const [name, value] of Object.entries(light)) {
      expect({ name, same: (index as Record<string, unknown>)[name] === value }).toEqual({
        name,
        same: true,
      });
    }
  });

  it("include no valibot schema in the light entry", () => {
    expect(Object.keys(light).filter((name) => name.endsWith("Schema"))).toEqual([]);
    expect(Object.keys(light)).not.toContain("ParamsSchemas");
  });
});
