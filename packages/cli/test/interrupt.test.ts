import type { ChildProcess } from "node:child_process";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  daemonStatuses,
  destroySandbox,
  runCli,
  type Sandbox,
  waitFor,
} from "./helpers.js";

const SLOW = ["--", "node", servers.slow];

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

async function cancelledCount(): Promise<number> {
  const result = await runCli(sandbox, ["cancelled_count", ...SLOW]);
  expect(result.code).toBe(0);
  return Number(result.stdout);
}

describe("Ctrl+C", () => {
  it("cancels the call on the server, exits 130, and the daemon lives on", async () => {
    const before = await cancelledCount();
    const [daemon] = await daemonStatuses(sandbox);
    let child: ChildProcess | undefined;
    const call = runCli(sandbox, ["sleep", "--ms", "60000", ...SLOW], {
      onSpawn: (c) => {
        child = c;
      },
    });
    // Wait until the call is running on the daemon, then interrupt the CLI.
    await waitFor(async () => {
      const [status] = await daemonStatuses(sandbox);
      return Number(status?.inFlight) > 0;
    });
    child!.kill("SIGINT");
    const result = await call;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^mcpward: .*cancelled/);
    expect(result.stderr).not.toMatch(/\bat .*\.js/);

    // The same daemon is alive and serves the next call.
    const [after] = await daemonStatuses(sandbox);
    expect(after).toMatchObject({ daemonId: daemon!.daemonId, pid: daemon!.pid, state: "ready" });
    await waitFor(async () => (await cancelledCount()) === before + 1);
    const next = await runCli(sandbox, ["sleep", "--ms", "1", ...SLOW]);
    expect(next).toMatchObject({ code: 0, stdout: "slept 1\n" });
  });
});
