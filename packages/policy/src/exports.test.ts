import { describe, expect, it } from "vitest";
import * as entry from "./index.js";

// Every runtime export is a promise to other repositories: a change to this
// list must be deliberate and visible in review.
describe("public runtime exports", () => {
  it("of @mcpward/policy are exactly these", () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "APPROVAL_MODES",
        "BLOCKED_ENV",
        "OFFICIAL_SERVERS",
        "PROJECT_CONFIG_FILE",
        "PluginHost",
        "TrustStore",
        "checkCommand",
        "checkEnv",
        "checkEnvFiles",
        "checkPathArguments",
        "checkToolCall",
        "classifyServer",
        "codeFiles",
        "combineDecisions",
        "commandLineRules",
        "decideTrust",
        "definePolicy",
        "hashExecutable",
        "isBlockedEnvName",
        "listNamedServers",
        "loadConfig",
        "resolveExecutable",
        "resolveNamedServer",
        "resolvePolicy",
        "scriptArgument",
        "serverEnvironment",
      ]
    `);
  });
});
