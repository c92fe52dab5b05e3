import { describe, expect, it } from "vitest";
import * as entry from "./index.js";

// Every runtime export is a promise to other repositories: a change to this
// list must be deliberate and visible in review.
describe("public runtime exports", () => {
  it("of @mcpward/daemon are exactly these", () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "AuditWriter",
        "DAEMON_VERSION",
        "DaemonClient",
        "auditDirectory",
        "cleanDaemons",
        "connectTo",
        "ensureDaemon",
        "exportAudit",
        "findTool",
        "formatAuditTable",
        "listDaemons",
        "parseSince",
        "parseToolArguments",
        "readAudit",
        "readToolCount",
        "renderToolHelp",
        "renderToolList",
        "stopAll",
        "stopDaemon",
        "verifyAudit",
      ]
    `);
  });
});
