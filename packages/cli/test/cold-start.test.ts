import { execFileSync } from "node:child_process";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI,
  createSandbox,
  daemonStatuses,
  destroySandbox,
  lines,
  runCli,
  runProcess,
  type Sandbox,
} from "./helpers.js";

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

function hasScript(): boolean {
  if (process.platform !== "linux") return false;
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function shellLine(args: string[]): string {
  return [process.execPath, CLI, ...args].map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
}

// hang-init never finishes starting, so with --startup-timeout 1 a cold
// start lasts at least a second: past the ~300 ms after which the status
// line appears, whatever the machine's speed.
const HANGING = ["--startup-timeout", "1", "x", "--", "node", servers.hangInit];

describe("cold start", () => {
  it("prints nothing but the result on stderr when it is not a terminal", async () => {
    const result = await runCli(sandbox, [
      "echo",
      "--text",
      "cold",
      "--",
      "COLD=1",
      "node",
      servers.echo,
    ]);
    expect(result).toMatchObject({ code: 0, stdout: "cold\n", stderr: "" });
  });

  it("reports a server that never finishes starting as a timeout and leaves no daemon", async () => {
    const result = await runCli(sandbox, HANGING);
    expect(result.code).toBe(5);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^mcpward: server did not finish starting within 1s/),
    ]);
    const left = (await daemonStatuses(sandbox)).filter((d) =>
      String(d.server).includes("hang-init"),
    );
    expect(left).toEqual([]);
  });

  it("shows one status line on a terminal while starting, then clears it", async (context) => {
    if (!hasScript()) context.skip();
    const result = await runProcess("script", ["-qec", shellLine(HANGING), "/dev/null"], sandbox);
    expect(result.code).toBe(5);
    const start = result.stdout.indexOf("mcpward: starting node ");
    expect(start).toBeGreaterThanOrEqual(0);
    expect(result.stdout.slice(start)).toMatch(
      // The line is cut to the terminal's width, so the path may be elided.
      /^mcpward: starting node [^\r]*\r\x1b\[2K/,
    );
    expect(result.stdout).toMatch(/mcpward: server did not finish starting within 1s/);
  });
});
