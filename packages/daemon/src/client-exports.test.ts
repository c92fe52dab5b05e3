import { describe, expect, it } from "vitest";
import * as client from "./client.js";

describe("public runtime exports", () => {
  it("of @mcpward/daemon/client are exactly these", () => {
    expect(Object.keys(client).sort()).toMatchInlineSnapshot(`
      [
        "DAEMON_VERSION",
        "DaemonClient",
        "cleanDaemons",
        "connectTo",
        "ensureDaemon",
        "listDaemons",
        "readToolCount",
        "stopAll",
        "stopDaemon",
      ]
    `);
  });
});
