import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, createSandbox, destroySandbox, runCli, runProcess, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = createSandbox();
  // Start the daemon first so the pipelines below test output, not startup.
  await runCli(sandbox, ["pid", "--", "node", servers.echo]);
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

function quote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

describe("output through pipes", () => {
  it("ends quietly when the reader closes the pipe early (| head -c 10)", async () => {
    const cli = [process.execPath, CLI, "big", "--bytes", "1000000", "--", "node", servers.echo]
      .map(quote)
      .join(" ");
    // PIPESTATUS is bash-only; record the CLI's own status in a file-free way.
    const result = await runProcess(
      "sh",
      ["-c", `{ ${cli}; echo "cli-exit=$?" >&2; } | head -c 10`],
      sandbox,
    );
    expect(result.stdout).toBe("0123456789");
    expect(result.stderr).not.toMatch(/EPIPE|Error|at .*\.js/);
    expect(result.stderr.trim()).toBe("cli-exit=0");
  });

  it("writes a 10 MB result completely through a pipe", async () => {
    const bytes = 10 * 1024 * 1024;
    const cli = [process.execPath, CLI, "big", "--bytes", String(bytes), "--", "node", servers.echo]
      .map(quote)
      .join(" ");
    // Through a real pipe into a slow-ish reader, so writes must wait for drain.
    const result = await runProcess("sh", ["-c", `${cli} | cat`], sandbox);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBe(bytes + 1);
    expect(result.stdout.endsWith("\n")).toBe(true);
    const body = result.stdout.slice(0, bytes);
    expect(body.slice(0, 20)).toBe("01234567890123456789");
    // Every byte follows the pattern "0123456789" repeated.
    expect(/^(?:0123456789)*[0-9]*$/.test(body)).toBe(true);
    expect(body.slice(-6)).toBe("0123456789".repeat(Math.ceil(bytes / 10)).slice(bytes - 6, bytes));
  });

  it("writes the 10 MB result completely when the CLI's stdout is the pipe itself", async () => {
    const bytes = 10 * 1024 * 1024;
    const result = await runCli(sandbox, [
      "big",
      "--bytes",
      String(bytes),
      "--",
      "node",
      servers.echo,
    ]);
    expect(result.code).toBe(0);
    expect(Buffer.byteLength(result.stdout)).toBe(bytes + 1);
  });

  it("writes the 10 MB result completely when its stdout is a non-blocking pipe and the reader is slow", async () => {
    const bytes = 10 * 1024 * 1024;
    // Opening fd 1 as a socket leaves it non-blocking (as a parent sharing
    // its stdout with an event loop may pass it on), so direct writes stop at
    // EAGAIN and the stream has to take the rest.
    const run = `new (require("node:net").Socket)({ fd: 1, readable: false, writable: true }).unref();
process.argv.splice(1, 1, ${JSON.stringify(CLI)});
require(${JSON.stringify(CLI)});`;
    const cli = [
      process.execPath,
      "-e",
      run,
      "-",
      "big",
      "--bytes",
      String(bytes),
      "--",
      "node",
      servers.echo,
    ]
      .map(quote)
      .join(" ");
    const result = await runProcess("sh", ["-c", `${cli} | { sleep 1; cat; }`], sandbox);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.length).toBe(bytes + 1);
    expect(/^(?:0123456789)*[0-9]*\n$/.test(result.stdout)).toBe(true);
  });
});
