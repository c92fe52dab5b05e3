import { servers } from "@mcpward/test-servers";
import { afterEach, describe, expect, it } from "vitest";
import { JsonRpcError, JsonRpcErrorCode, McpProtocolError } from "./json-rpc.js";
import { McpSession, type Progress } from "./mcp-session.js";
import { ServerTransport } from "./server-transport.js";

// Real server processes over real pipes: the SDK fixtures for the normal
// protocol, `hostile.mjs` for everything an SDK server would never send.

const TIMEOUT_MS = 20_000;

interface Opened {
  session: McpSession;
  transport: ServerTransport;
  warnings: string[];
  junk: string[];
  listChanged: { count: number };
  closed: { count: number };
}

const open: ServerTransport[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

function start(script: string, args: string[] = [], maxBacklogBytes?: number): Opened {
  const warnings: string[] = [];
  const junk: string[] = [];
  const listChanged = { count: 0 };
  const closed = { count: 0 };
  const transport = new ServerTransport({
    command: process.execPath,
    args: [script, ...args],
    env: { PATH: process.env.PATH ?? "" },
    cwd: process.cwd(),
    maxLineBytes: 1024 * 1024,
    killGraceMs: 1000,
    onStderrLine: () => {},
    onJunk: (what) => junk.push(what),
  });
  open.push(transport);
  const session = new McpSession(transport, {
    clientInfo: { name: "mcpward-test", version: "0.0.0" },
    onToolListChanged: () => listChanged.count++,
    onClose: () => closed.count++,
    onWarning: (message) => warnings.push(message),
    maxBacklogBytes,
  });
  return { session, transport, warnings, junk, listChanged, closed };
}

async function connected(script: string, args: string[] = []): Promise<Opened> {
  const opened = start(script, args);
  await opened.session.connect(TIMEOUT_MS);
  return opened;
}

function textOf(result: { content: unknown[] }): string {
  return (result.content[0] as { text: string }).text;
}

const call = (session: McpSession, name: string, args: Record<string, unknown> = {}) =>
  session.callTool(name, args, { timeoutMs: TIMEOUT_MS });

describe("McpSession with an SDK server", () => {
  it("initializes, lists tools and calls one, reporting the result's size", async () => {
    const { session } = await connected(servers.echo);
    const page = await session.listToolsPage(undefined, TIMEOUT_MS);
    expect(page.tools.map((tool) => tool.name)).toContain("echo");
    const { result, bytes } = await call(session, "echo", { text: "hi" });
    expect(textOf(result)).toBe("hi");
    expect(bytes).toBe(JSON.stringify(result).length);
  });

  it("turns a JSON-RPC error into a JsonRpcError with the server's code", async () => {
    const { session } = await connected(servers.echo);
    const error = await call(session, "no_such_tool").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect((error as JsonRpcError).code).toBe(JsonRpcErrorCode.InvalidParams);
    expect((error as Error).message).toMatch(/^MCP error -32602: .*no_such_tool/);
  });

  it("times out a call and cancels it on the server", async () => {
    const { session } = await connected(servers.slow);
    const error = await session
      .callTool("sleep", { ms: 60_000 }, { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect((error as JsonRpcError).code).toBe(JsonRpcErrorCode.RequestTimeout);
    const { result } = await call(session, "cancelled_count");
    expect(textOf(result)).toBe("1");
  });

  it("rejects an aborted call with the signal's reason and cancels it on the server", async () => {
    const { session } = await connected(servers.slow);
    const controller = new AbortController();
    const reason = new Error("user pressed Ctrl+C");
    const pending = session.callTool(
      "sleep",
      { ms: 60_000 },
      { timeoutMs: TIMEOUT_MS, signal: controller.signal },
    );
    setTimeout(() => controller.abort(reason), 100);
    await expect(pending).rejects.toBe(reason);
    const { result } = await call(session, "cancelled_count");
    expect(textOf(result)).toBe("1");
  });

  it("passes progress notifications of a call to onProgress", async () => {
    const { session } = await connected(servers.slow);
    const seen: Progress[] = [];
    const { result } = await session.callTool(
      "progress",
      { steps: 3 },
      { timeoutMs: TIMEOUT_MS, onProgress: (progress) => seen.push(progress) },
    );
    expect(textOf(result)).toBe("done");
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(seen[0]).toMatchObject({ total: 3, message: "step 1/3" });
  });

  it("fails pending calls with ConnectionClosed when the server exits, after onClose", async () => {
    const { session, closed } = await connected(servers.crash);
    const error = await call(session, "crash").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect((error as JsonRpcError).code).toBe(JsonRpcErrorCode.ConnectionClosed);
    expect(closed.count).toBe(1);
    await expect(call(session, "ok")).rejects.toMatchObject({
      code: JsonRpcErrorCode.ConnectionClosed,
    });
  });
});

describe("McpSession with a hostile server", () => {
  it("answers the server's ping and refuses its other requests with method not found", async () => {
    const { session } = await connected(servers.hostile);
    const { result } = await call(session, "ask_client");
    expect(JSON.parse(textOf(result))).toEqual({ ping: {}, sampling: -32601 });
  });

  it("refuses a server that answers with an unsupported protocol version", async () => {
    const { session } = start(servers.hostile, ["--protocol=1999-01-01"]);
    await expect(session.connect(TIMEOUT_MS)).rejects.toMatchObject({
      code: "SERVER_PROTOCOL_ERROR",
      message: expect.stringMatching(
        /protocol version "1999-01-01", which this mcpward does not support \(it supports 2025-11-25, /,
      ),
    });
  });

  it("refuses an initialize result that is not one", async () => {
    const { session } = start(servers.hostile, ["--init=bad"]);
    await expect(session.connect(TIMEOUT_MS)).rejects.toMatchObject({
      code: "SERVER_PROTOCOL_ERROR",
      message: expect.stringContaining("invalid initialize result"),
    });
  });

  it("skips junk, batches and answers for unknown ids, then takes the real answer", async () => {
    const { session, warnings, junk } = await connected(servers.hostile);
    const { result } = await call(session, "junk_then_answer");
    expect(textOf(result)).toBe("survived");
    expect(junk.length).toBeGreaterThanOrEqual(4);
    expect(warnings.filter((w) => w.includes("unknown request id"))).toHaveLength(3);
    // Still in step: the next call gets its own answer.
    expect(textOf((await call(session, "change_tools")).result)).toBe("changed");
  });

  it.each([
    ["bad_envelope", /invalid JSON-RPC answer/],
    ["not_object", /invalid tools\/call result/],
    ["content_not_array", /invalid tools\/call result/],
  ])("fails the call at once when %s", async (tool, message) => {
    const { session } = await connected(servers.hostile);
    const error = await call(session, tool).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpProtocolError);
    expect((error as Error).message).toMatch(message);
    expect(textOf((await call(session, "change_tools")).result)).toBe("changed");
  });

  it("delivers progress that arrives in the same write as the answer", async () => {
    const { session } = await connected(servers.hostile);
    const seen: number[] = [];
    await session.callTool(
      "progress_burst",
      {},
      { timeoutMs: TIMEOUT_MS, onProgress: (p) => seen.push(p.progress) },
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  it("stops answering a server that floods requests without reading its stdin", async () => {
    const limit = 64 * 1024;
    const { session, transport, warnings } = start(servers.hostile, [], limit);
    await session.connect(TIMEOUT_MS);
    expect(textOf((await call(session, "flood_requests")).result)).toBe("flooded");
    // 50,000 answers would be ~2 MB; at most one answer past the limit is buffered.
    expect(transport.backlog).toBeLessThanOrEqual(limit + 100);
    expect(warnings).toContain(
      "server sends requests but does not read its stdin; dropping answers to them",
    );
    expect(textOf((await call(session, "change_tools")).result)).toBe("changed");
  });

  it("reports notifications/tools/list_changed", async () => {
    const { session, listChanged } = await connected(servers.hostile);
    await call(session, "change_tools");
    expect(listChanged.count).toBe(1);
    const page = await session.listToolsPage(undefined, TIMEOUT_MS);
    expect(page.tools.map((tool) => tool.name)).toContain("added_later");
  });

  it("refuses a tools/list page with a tool that has no inputSchema", async () => {
    const { session } = await connected(servers.hostile, ["--tools=bad"]);
    const error = await session.listToolsPage(undefined, TIMEOUT_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpProtocolError);
    expect((error as Error).message).toMatch(/^invalid tools\/list result: .*inputSchema/);
  });

  it("passes a deeply nested result on without overflowing (the daemon's sanitiser caps it)", async () => {
    const { session } = await connected(servers.hostile);
    const { result } = await call(session, "deep");
    expect(Array.isArray(result.structuredContent?.a)).toBe(true);
  });
});
