import { randomBytes } from "node:crypto";
import { createNonce, PROTOCOL_VERSION } from "@mcpward/core/light";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DaemonMetadata, EnsuredDaemon } from "../dist/client.js";
import {
  createSandbox,
  ensure,
  nodeSpec,
  RawClient,
  rawSession,
  readMeta,
  resultText,
  sleep,
  waitFor,
} from "./helpers.js";

const sandbox = createSandbox();
let daemon: EnsuredDaemon;
let meta: DaemonMetadata;

beforeAll(async () => {
  daemon = await ensure(sandbox, sandbox.project("raw"), nodeSpec(servers.echo));
  meta = readMeta(daemon.paths.meta);
});
afterAll(async () => {
  daemon?.client.close();
  await sandbox.cleanup();
}, 60_000);

/** A fresh authenticated connection answers ping: the daemon lives on. */
async function expectServing(target: { socket: string; secret: string } = meta): Promise<void> {
  const client = await rawSession(target);
  try {
    client.send({ id: 1, method: "ping" });
    expect(await client.response(1)).toMatchObject({ id: 1, result: { pong: true } });
  } finally {
    client.close();
  }
}

function hello(): Record<string, unknown> {
  return { type: "hello", protocol: PROTOCOL_VERSION, version: "test", nonce: createNonce() };
}

describe("the raw socket", () => {
  it("drops a slowloris client at the handshake deadline counted from connect", async () => {
    const client = RawClient.open(meta.socket);
    await client.connected;
    const line = `${JSON.stringify(hello())}\n`;
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < line.length && !client.isClosed) client.write(line[sent++]!);
    }, 500);
    try {
      await client.waitClosed(20_000);
    } finally {
      clearInterval(trickle);
    }
    // Reset by each byte, the deadline would never pass before the whole hello was sent.
    expect(sent).toBeLessThan(line.length);
    expect(client.frames).toContainEqual(
      expect.objectContaining({
        id: null,
        error: expect.objectContaining({ code: "HANDSHAKE_FAILED" }),
      }),
    );
    expect(client.frames.some((f) => f.type === "hello")).toBe(false);
    await expectServing();
  });

  it("drops a client whose hello proof is wrong and serves it nothing", async () => {
    const client = RawClient.open(meta.socket);
    await client.connected;
    client.send(hello());
    await client.frame((f) => f.type === "hello");
    // The wrong proof and a request pipelined right behind it.
    client.write(
      `${JSON.stringify({ type: "auth", proof: randomBytes(32).toString("hex") })}\n${JSON.stringify({ id: 1, method: "status" })}\n`,
    );
    await client.waitClosed();
    expect(client.frames).toContainEqual(
      expect.objectContaining({ error: expect.objectContaining({ code: "HANDSHAKE_FAILED" }) }),
    );
    expect(client.frames.some((f) => "result" in f)).toBe(false);
    await expectServing();
  });

  it("does not accept a second hello after dropping a bad first frame", async () => {
    const client = RawClient.open(meta.socket);
    await client.connected;
    client.write(`${JSON.stringify({ type: "nope" })}\n${JSON.stringify(hello())}\n`);
    await client.waitClosed();
    expect(client.frames.some((f) => f.type === "hello")).toBe(false);
    await expectServing();
  });

  it("answers malformed frames with error frames and keeps serving, unpolluted", async () => {
    const client = await rawSession(meta);
    try {
      client.frames.length = 0; // the daemon's hello
      const errorCount = () => client.frames.filter((f) => f.error !== undefined).length;
      const bad: Array<string | Buffer> = [
        "this is not json\n",
        '{"id": 1, "method": \n',
        Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 0x0a]), // not UTF-8
        `${JSON.stringify({ id: "one", method: "ping" })}\n`,
        `${JSON.stringify({ id: 2, method: 42 })}\n`,
        `${JSON.stringify({ id: 3, method: "no/such/method" })}\n`,
        `${JSON.stringify({ id: -4, method: "ping" })}\n`,
        `${JSON.stringify({ id: 5, method: "ping", params: "yes" })}\n`,
        `${JSON.stringify({ id: 6, method: "tools/call", params: { tool: 7 } })}\n`,
        `${JSON.stringify([1, 2, 3])}\n`,
        "null\n",
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}\n',
        `${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
      ];
      for (const [i, frame] of bad.entries()) {
        client.write(frame);
        await waitFor(() => errorCount() === i + 1, { what: `error frame ${i + 1}` });
      }
      for (const frame of client.frames) {
        expect(frame).toMatchObject({
          error: { code: expect.any(String), message: expect.any(String) },
        });
      }
      expect(client.frames.find((f) => f.id === 6)).toMatchObject({ error: { code: "BAD_FRAME" } });

      // Prototype keys inside a valid request are removed before use.
      client.write(
        '{"id":10,"method":"ping","params":{"__proto__":{"polluted":true}},"__proto__":{"polluted":true}}\n',
      );
      expect(await client.response(10)).toMatchObject({ result: { pong: true } });
      client.write(
        '{"id":11,"method":"tools/call","params":{"tool":"all_types","arguments":{"name":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}}\n',
      );
      const call = await client.response(11);
      expect(resultText(call.result as Record<string, unknown>)).toBe('{"name":"x"}');
      // The connection survived all of it.
      client.send({ id: 12, method: "status" });
      const status = (await client.response(12)).result as Record<string, unknown>;
      expect(status.state).toBe("ready");
      expect("polluted" in status).toBe(false);
    } finally {
      client.close();
    }
    await expectServing();
  });

  it("answers a frame over the cap with FRAME_TOO_LARGE, closes, and keeps serving", async () => {
    const env = sandbox.envWith({ MCPWARD_MAX_FRAME_BYTES: "4096" });
    const small = await ensure(sandbox, sandbox.project("frame-cap"), nodeSpec(servers.counter), {
      env,
    });
    small.client.close();
    const smallMeta = readMeta(small.paths.meta);
    for (const authenticated of [false, true]) {
      const client = authenticated ? await rawSession(smallMeta) : RawClient.open(smallMeta.socket);
      await client.connected;
      client.write(`{"id":1,"method":"ping","params":{"pad":"${"x".repeat(8192)}"}}\n`);
      await client.waitClosed();
      expect(client.frames).toContainEqual(
        expect.objectContaining({ error: expect.objectContaining({ code: "FRAME_TOO_LARGE" }) }),
      );
      expect(client.frames.some((f) => "result" in f)).toBe(false);
    }
    await expectServing(smallMeta);
  });

  it("serves at most MCPWARD_MAX_CONNECTIONS clients: 500 at once, the rest get BUSY", async () => {
    const env = sandbox.envWith({ MCPWARD_MAX_CONNECTIONS: "50" });
    const busy = await ensure(sandbox, sandbox.project("busy"), nodeSpec(servers.counter), { env });
    busy.client.close();
    const busyMeta = readMeta(busy.paths.meta);
    await waitFor(async () => {
      const { client } = await ensure(sandbox, sandbox.project("busy"), nodeSpec(servers.counter), {
        env,
      });
      const { connections } = await client.status();
      client.close();
      return connections === 1;
    });

    const clients = Array.from({ length: 500 }, () => RawClient.open(busyMeta.socket));
    try {
      await Promise.allSettled(clients.map((c) => c.connected));
      const isBusy = (c: RawClient) =>
        c.frames.some((f) => (f.error as { code?: string } | undefined)?.code === "BUSY");
      // Every connection beyond the 50 is told BUSY and closed.
      await waitFor(() => clients.filter((c) => isBusy(c) && c.isClosed).length === 450, {
        what: "450 BUSY answers",
        timeoutMs: 20_000,
      });
      expect(clients.filter((c) => !isBusy(c))).toHaveLength(50);
    } finally {
      for (const c of clients) c.close();
    }
    await waitFor(
      async () => {
        try {
          await expectServing(busyMeta);
          return true;
        } catch {
          await sleep(50);
          return false;
        }
      },
      { what: "the daemon to serve again" },
    );
    const again = await ensure(sandbox, sandbox.project("busy"), nodeSpec(servers.counter), {
      env,
    });
    try {
      expect(resultText(await again.client.call({ tool: "increment", tokens: [] }))).toBe("1");
    } finally {
      again.client.close();
    }
  });
});
