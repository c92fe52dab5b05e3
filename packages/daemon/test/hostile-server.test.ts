import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import type { DaemonEvent } from "../dist/client.js";
import { createSandbox, ensure, nodeSpec, resultText } from "./helpers.js";

// The daemon speaks JSON-RPC to its server itself: a server that breaks the
// protocol must cost one call a clear error, never the daemon.

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

describe("a daemon in front of a hostile server", () => {
  it("fails each malformed answer with a one-line SERVER_PROTOCOL_ERROR and keeps serving", async () => {
    const { client } = await ensure(sandbox, sandbox.project("hostile"), nodeSpec(servers.hostile));
    try {
      for (const tool of ["bad_envelope", "not_object", "content_not_array"]) {
        const error = await client.call({ tool, tokens: [] }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: "SERVER_PROTOCOL_ERROR" });
        expect((error as Error).message).toMatch(
          new RegExp(`^server sent an invalid answer while calling ${tool}: `),
        );
        expect((error as Error).message).not.toContain("\n");
      }
      const deep = await client.call({ tool: "deep", tokens: [] }).catch((e: unknown) => e);
      expect(deep).toMatchObject({ code: "LIMIT_EXCEEDED" });
      expect(resultText(await client.call({ tool: "junk_then_answer", tokens: [] }))).toBe(
        "survived",
      );
      expect(resultText(await client.call({ tool: "ask_client", tokens: [] }))).toBe(
        '{"ping":{},"sampling":-32601}',
      );
      const status = await client.status();
      expect(status.state).toBe("ready");
      expect(status.restarts).toBe(0);
    } finally {
      client.close();
    }
  });

  it("forwards progress that arrives with the answer and sees tools added after list_changed", async () => {
    const { client } = await ensure(sandbox, sandbox.project("changes"), nodeSpec(servers.hostile));
    try {
      const events: DaemonEvent[] = [];
      await client.call(
        { tool: "progress_burst", tokens: [] },
        { onEvent: (event) => events.push(event) },
      );
      expect(events.filter((e) => e.event === "progress").map((e) => e.data)).toEqual([
        { progress: 1, total: 3, message: "step 1" },
        { progress: 2, total: 3, message: "step 2" },
        { progress: 3, total: 3, message: "step 3" },
      ]);
      const before = (await client.listTools()).tools.map((tool) => tool.name);
      expect(before).not.toContain("added_later");
      await client.call({ tool: "change_tools", tokens: [] });
      const after = (await client.listTools()).tools.map((tool) => tool.name);
      expect(after).toContain("added_later");
      expect(resultText(await client.call({ tool: "added-later", tokens: [] }))).toBe("here");
    } finally {
      client.close();
    }
  });

  it("refuses a server with an unsupported protocol version, saying which", async () => {
    const { client } = await ensure(sandbox, sandbox.project("version"), {
      ...nodeSpec(servers.hostile),
      args: [servers.hostile, "--protocol=1999-01-01"],
    });
    try {
      const error = await client.call({ tool: "ask_client", tokens: [] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SERVER_PROTOCOL_ERROR" });
      expect((error as Error).message).toContain(
        'server speaks MCP protocol version "1999-01-01", which this mcpward does not support',
      );
      expect((await client.ping()).pong).toBe(true);
    } finally {
      client.close();
    }
  });

  it("refuses a tools/list with a tool that has no inputSchema", async () => {
    const { client } = await ensure(sandbox, sandbox.project("badtools"), {
      ...nodeSpec(servers.hostile),
      args: [servers.hostile, "--tools=bad"],
    });
    try {
      const error = await client.listTools().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SERVER_PROTOCOL_ERROR" });
      expect((error as Error).message).toMatch(
        /^server sent an invalid answer while listing tools: invalid tools\/list result: /,
      );
      expect((await client.ping()).pong).toBe(true);
    } finally {
      client.close();
    }
  });
});
