import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, destroySandbox, lines, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
beforeAll(() => {
  sandbox = createSandbox();
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

describe("shell completion", () => {
  it("prints a bash script by default and a zsh script on request", async () => {
    const bash = await runCli(sandbox, ["completion"], { env: { SHELL: "/bin/bash" } });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain(
      "complete -o bashdefault -o default -F _mcpward_yargs_completions mcpward",
    );
    expect(bash.stdout).toContain("mcpward --get-yargs-completions");
    const zsh = await runCli(sandbox, ["completion", "zsh"], { env: { SHELL: "/bin/bash" } });
    expect(zsh.stdout).toMatch(/^#compdef mcpward/);
    const bad = await runCli(sandbox, ["completion", "tcsh"]);
    expect(bad.code).toBe(2);
  });

  it("completes mcpward's commands and daemon subcommands", async () => {
    const env = { SHELL: "/bin/bash" };
    const top = await runCli(sandbox, ["--get-yargs-completions", "mcpward", ""], { env });
    expect(lines(top.stdout)).toEqual(expect.arrayContaining(["daemon", "completion"]));
    const sub = await runCli(sandbox, ["--get-yargs-completions", "mcpward", "daemon", "st"], {
      env,
    });
    expect(lines(sub.stdout)).toEqual(
      expect.arrayContaining(["start", "stop", "restart", "status", "logs", "clean"]),
    );
  });

  it("completes tool names of a running daemon, and starts none", async () => {
    const env = { SHELL: "/bin/bash" };
    const words = ["--get-yargs-completions", "mcpward", "ec", "--", "node", servers.echo];
    const cold = await runCli(sandbox, words, { env });
    expect(lines(cold.stdout)).not.toContain("echo");
    expect((await runCli(sandbox, ["daemon", "status", "--json"])).stdout).toBe("[]\n");

    await runCli(sandbox, ["pid", "--", "node", servers.echo]);
    const warm = await runCli(sandbox, words, { env });
    expect(lines(warm.stdout)).toEqual(
      expect.arrayContaining(["echo", "all_types", "get_weather"]),
    );
  });
});
