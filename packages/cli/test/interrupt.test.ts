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

  it("exits 130 on a second Ctrl+C when the daemon does not answer the cancel, and the daemon cancels the call later", async () => {
    const before = await cancelledCount();
    const [daemon] = await daemonStatuses(sandbox);
    let child: ChildProcess | undefined;
    const call = runCli(sandbox, ["sleep", "--ms", "60000", ...SLOW], {
      onSpawn: (c) => {
        child = c;
      },
    });
    await waitFor(async () => {
      const [status] = await daemonStatuses(sandbox);
      return Number(status?.inFlight) > 0;
    });
    // A daemon that cannot answer: the first Ctrl+C's cancel goes unanswered.
    process.kill(Number(daemon!.pid), "SIGSTOP");
    let result: Awaited<typeof call>;
    try {
      child!.kill("SIGINT");
      // Spaced out so the two signals are not merged into one pending signal.
      await new Promise((r) => setTimeout(r, 300));
      child!.kill("SIGINT");
      result = await call;
    } finally {
      process.kill(Number(daemon!.pid), "SIGCONT");
    }
    expect(result.code).toBe(130);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/\bat .*\.js/);

    // Once running again, the daemon reads the cancel (or the closed
    // connection), cancels the server's call and serves on.
    await waitFor(async () => (await cancelledCount()) === before + 1);
    await waitFor(async () => {
      const [status] = await daemonStatuses(sandbox);
      return Number(status?.inFlight) === 0;
    });
    const [after] = await daemonStatuses(sandbox);
    expect(after).toMatchObject({ daemonId: daemon!.daemonId, pid: daemon!.pid, state: "ready" });
  });
});
