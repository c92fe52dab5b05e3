// The per-user limit on live daemons (MCPWARD_MAX_DAEMONS), in its own
// sandbox: every daemon of the runtime directory counts.
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDaemon, listDaemons } from "../dist/client.js";
import { createSandbox, isAlive, nodeSpec, resultText, waitFor } from "./helpers.js";

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

const env = sandbox.envWith({ MCPWARD_MAX_DAEMONS: "2" });

/** Starts (or reaches) the daemon of a fresh project's copy of the lifecycle fixture and calls it once. */
async function useDaemon(name: string, notices: string[] = []) {
  const project = sandbox.project(name);
  const script = join(project, "server.mjs");
  if (!existsSync(script)) copyFileSync(servers.lifecycle, script);
  const ensured = await ensureDaemon({
    spec: nodeSpec(script),
    projectDir: project,
    env,
    onNotice: (message) => notices.push(message),
  });
  expect(resultText(await ensured.client.call({ tool: "increment", arguments: {} }))).toMatch(
    /^\d+$/,
  );
  const { pid } = await ensured.client.ping();
  ensured.client.close();
  return { ...ensured, pid, project };
}

describe("MCPWARD_MAX_DAEMONS", () => {
  it("stops the longest-idle daemon when one more starts, and says which", async () => {
    const first = await useDaemon("first");
    const second = await useDaemon("second");
    const notices: string[] = [];
    const third = await useDaemon("third", notices);

    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      new RegExp(
        `^stopped idle daemon ${first.daemonId.slice(0, 8)} \\(.*server\\.mjs in ${first.project}, idle \\d+s\\) to stay within 2 daemons \\(MCPWARD_MAX_DAEMONS\\)$`,
      ),
    );
    await waitFor(() => !isAlive(first.pid), { what: "the idle daemon to stop" });
    expect(isAlive(second.pid)).toBe(true);
    expect(isAlive(third.pid)).toBe(true);
    const live = listDaemons({ all: true, env }).filter((e) => e.alive);
    expect(live.map((e) => e.meta.daemonId).sort()).toEqual(
      [second.daemonId, third.daemonId].sort(),
    );
  });

  it("starts without a notice while under the limit, and a warm call never stops anything", async () => {
    const notices: string[] = [];
    // "third" is running: reaching it again is a warm path, no start.
    const again = await useDaemon("third", notices);
    expect(again.started).toBe(false);
    expect(notices).toEqual([]);
    expect(listDaemons({ all: true, env }).filter((e) => e.alive)).toHaveLength(2);
  });
});
