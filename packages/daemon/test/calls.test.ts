import { readFileSync, statSync } from "node:fs";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import type { DaemonEvent } from "../dist/client.js";
import { createSandbox, ensure, nodeSpec, resultText, waitFor } from "./helpers.js";

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

describe("tool calls", () => {
  it("times a slow call out with TIMEOUT, cancels it on the server and stays healthy", async () => {
    const { client } = await ensure(sandbox, sandbox.project("timeout"), nodeSpec(servers.slow), {
      settings: { toolTimeout: 1 },
    });
    try {
      const error = await client
        .call({ tool: "sleep", arguments: { ms: 60_000 } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "TIMEOUT" });
      expect((await client.ping()).pong).toBe(true);
      await waitFor(
        async () => resultText(await client.call({ tool: "cancelled_count", tokens: [] })) === "1",
        { what: "the server to count the cancellation" },
      );
      expect(resultText(await client.call({ tool: "sleep", tokens: ["--ms", "10"] }))).toBe(
        "slept 10",
      );
      const status = await client.status();
      expect(status.state).toBe("ready");
      expect(status.restarts).toBe(0);
    } finally {
      client.close();
    }
  });

  it("cancels a call through its AbortSignal: CANCELLED here, cancelled on the server", async () => {
    const { client } = await ensure(sandbox, sandbox.project("cancel"), nodeSpec(servers.slow));
    try {
      const controller = new AbortController();
      const progress: DaemonEvent[] = [];
      // Abort on the first progress event: by then the server is running the call.
      const error = await client
        .call(
          { tool: "progress", arguments: { steps: 10_000 } },
          {
            signal: controller.signal,
            onEvent: (event) => {
              progress.push(event);
              if (event.event === "progress") controller.abort();
            },
          },
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CANCELLED" });
      expect(progress.length).toBeGreaterThan(0);
      await waitFor(
        async () => resultText(await client.call({ tool: "cancelled_count", tokens: [] })) === "1",
        { what: "the server to count the cancellation" },
      );

      // An abort of a plain sleep works too, and the daemon keeps serving.
      const sleeping = new AbortController();
      const pending = client.call(
        { tool: "sleep", arguments: { ms: 60_000 } },
        { signal: sleeping.signal },
      );
      await waitFor(async () => (await client.status()).inFlight === 1, { what: "the call" });
      sleeping.abort();
      await expect(pending).rejects.toMatchObject({ code: "CANCELLED" });
      expect(resultText(await client.call({ tool: "sleep", tokens: ["--ms", "1"] }))).toBe(
        "slept 1",
      );
      expect((await client.status()).inFlight).toBe(0);
    } finally {
      client.close();
    }
  });

  it("lets only the connection that made a call cancel it", async () => {
    const project = sandbox.project("cancel-other");
    const owner = await ensure(sandbox, project, nodeSpec(servers.slow));
    const other = await ensure(sandbox, project, nodeSpec(servers.slow));
    try {
      await owner.client.ping(); // request 1 of this connection
      const pending = owner.client.call({ tool: "sleep", arguments: { ms: 300 } }); // request 2
      pending.catch(() => {});
      await waitFor(async () => (await other.client.status()).inFlight === 1, { what: "the call" });
      await other.client.ping();
      await other.client.ping();
      // Request ids are per connection: target 2 on this one names its own finished request,
      // never the owner's call.
      expect(await other.client.request("cancel", { target: 2 })).toEqual({ cancelled: false });
      expect(resultText(await pending)).toBe("slept 300");
    } finally {
      owner.client.close();
      other.client.close();
    }
  });

  it("refuses calls beyond MCPWARD_MAX_IN_FLIGHT with LIMIT_EXCEEDED", async () => {
    const env = sandbox.envWith({ MCPWARD_MAX_IN_FLIGHT: "2" });
    const { client } = await ensure(sandbox, sandbox.project("in-flight"), nodeSpec(servers.slow), {
      env,
    });
    try {
      const first = client.call({ tool: "sleep", arguments: { ms: 500 } });
      const second = client.call({ tool: "sleep", arguments: { ms: 500 } });
      await waitFor(async () => (await client.status()).inFlight === 2, { what: "two calls" });
      await expect(client.call({ tool: "sleep", arguments: { ms: 1 } })).rejects.toMatchObject({
        code: "LIMIT_EXCEEDED",
      });
      expect(resultText(await first)).toBe("slept 500");
      expect(resultText(await second)).toBe("slept 500");
      expect(resultText(await client.call({ tool: "sleep", arguments: { ms: 1 } }))).toBe(
        "slept 1",
      );
    } finally {
      client.close();
    }
  });

  it("survives junk and a 5 MiB junk line on the server's stdout", async () => {
    const { client } = await ensure(sandbox, sandbox.project("junk"), nodeSpec(servers.junkStdout));
    try {
      expect(resultText(await client.call({ tool: "ok", tokens: [] }))).toBe("ok");
      expect(resultText(await client.call({ tool: "junk", tokens: [] }))).toBe("survived");
      expect(resultText(await client.call({ tool: "ok", tokens: [] }))).toBe("ok");
      expect((await client.status()).restarts).toBe(0);
    } finally {
      client.close();
    }
  });

  it("drops a stdout line over the frame cap instead of buffering it", async () => {
    const env = sandbox.envWith({ MCPWARD_MAX_FRAME_BYTES: String(1024 * 1024) });
    const { client } = await ensure(
      sandbox,
      sandbox.project("junk-cap"),
      nodeSpec(servers.junkStdout),
      {
        env,
      },
    );
    try {
      expect(resultText(await client.call({ tool: "junk", tokens: [] }))).toBe("survived");
      expect(resultText(await client.call({ tool: "ok", tokens: [] }))).toBe("ok");
      const status = await client.status();
      expect(readFileSync(String(status.logPath), "utf8")).toMatch(/over the frame cap/);
    } finally {
      client.close();
    }
  });

  it("sends a stderr flood to a size-capped log and stderr events to clients that ask", async () => {
    const { client } = await ensure(
      sandbox,
      sandbox.project("flood"),
      nodeSpec(servers.stderrFlood),
    );
    try {
      // ~45 bytes a line in the log: well over the 5 MiB cap.
      expect(resultText(await client.call({ tool: "flood", arguments: { lines: 200_000 } }))).toBe(
        "flooded",
      );
      const status = await client.status();
      const logPath = String(status.logPath);
      await waitFor(() => readFileSync(logPath, "utf8").includes("flood line 200000"), {
        what: "the last flood line in the log",
      });
      const cap = 5 * 1024 * 1024;
      expect(statSync(logPath).size).toBeLessThanOrEqual(cap);
      expect(statSync(`${logPath}.1`).size).toBeLessThanOrEqual(cap);

      const events: DaemonEvent[] = [];
      const result = await client.call(
        { tool: "flood", arguments: { lines: 50 }, stderr: true },
        { onEvent: (event) => events.push(event) },
      );
      expect(resultText(result)).toBe("flooded");
      const lines = events.filter((e) => e.event === "stderr").map((e) => String(e.data));
      expect(lines.some((line) => /^flood line \d+$/.test(line))).toBe(true);

      // A call that did not ask gets no stderr events.
      const quiet: DaemonEvent[] = [];
      await client.call(
        { tool: "flood", arguments: { lines: 50 } },
        { onEvent: (e) => quiet.push(e) },
      );
      expect(quiet).toEqual([]);
      expect(resultText(await client.call({ tool: "ok", tokens: [] }))).toBe("ok");
    } finally {
      client.close();
    }
  });

  it("refuses calls over the rate limit with RATE_LIMITED and keeps serving", async () => {
    const env = sandbox.envWith({ MCPWARD_CALL_RATE: "1" });
    const { client } = await ensure(sandbox, sandbox.project("rate"), nodeSpec(servers.echo), {
      env,
    });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          client.call({ tool: "echo", arguments: { text: `${i}` } }),
        ),
      );
      const refused = results.filter((r) => r.status === "rejected");
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect(r.reason).toMatchObject({ code: "RATE_LIMITED" });
      expect((await client.ping()).pong).toBe(true);
    } finally {
      client.close();
    }
  });
});
