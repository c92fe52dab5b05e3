// `mcpward -s <name>` and `--profile`: a server declared in the project's
// mcpward.config.json runs with its own rules (here a per-server deny), and
// is a different daemon from the same command given after `--`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, daemonStatuses, destroySandbox, runCli, type Sandbox } from "./helpers.js";

const SCRIPT = "fixtures/servers/echo.mjs";

let sandbox: Sandbox;
function writeConfig(deny: { echo: string[] }): void {
  writeFileSync(
    join(sandbox.project, "mcpward.config.json"),
    JSON.stringify({
      servers: {
        echo: { command: "node", args: [SCRIPT], tools: { deny: deny.echo } },
      },
      profiles: {
        prod: {
          servers: { "prod-echo": { command: "node", args: [SCRIPT], tools: { deny: ["echo"] } } },
        },
        dev: {},
        strict: { tools: { deny: ["add"] } },
      },
    }),
  );
}

beforeAll(() => {
  sandbox = createSandbox();
  writeConfig({ echo: ["add"] });
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

describe("named servers (-s)", () => {
  it("asks before the first start of a project config server; --yes runs it", async () => {
    const refused = await runCli(sandbox, ["-s", "echo", "echo", "--text", "hi"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('server "echo" is declared in');
    expect(refused.stderr).toContain("--yes");
    const yes = await runCli(sandbox, ["--yes", "-s", "echo", "echo", "--text", "hi"]);
    expect(yes).toMatchObject({ code: 0, stdout: "hi\n" });
  });

  it("applies the server's own tool rules", async () => {
    const denied = await runCli(sandbox, ["--yes", "-s", "echo", "add", "--a", "2", "--b", "3"]);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain("add");
  });

  it("asks again when the project config changes the server's entry, and applies the new rules", async () => {
    writeConfig({ echo: ["echo"] });
    try {
      const asked = await runCli(sandbox, ["-s", "echo", "add", "--a", "1", "--b", "2"]);
      expect(asked.code).toBe(3);
      expect(asked.stderr).toContain("not approved this entry");
      const yes = await runCli(sandbox, ["--yes", "-s", "echo", "add", "--a", "1", "--b", "2"]);
      expect(yes).toMatchObject({ code: 0, stdout: '{"sum":3}\n' });
      const denied = await runCli(sandbox, ["--yes", "-s", "echo", "echo", "--text", "hi"]);
      expect(denied.code).toBe(3);
    } finally {
      writeConfig({ echo: ["add"] });
    }
  });

  it("does not apply them to the same command given after --, which is another daemon", async () => {
    const byHand = await runCli(sandbox, ["add", "--a", "2", "--b", "3", "--", "node", SCRIPT]);
    expect(byHand).toMatchObject({ code: 0, stdout: '{"sum":5}\n' });
    expect(await daemonStatuses(sandbox)).toHaveLength(2);
  });

  it("lists the server's tools with -s <name> --help, and a tool's help", async () => {
    const list = await runCli(sandbox, ["--yes", "-s", "echo", "--help"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("echo");
    const tool = await runCli(sandbox, ["--yes", "-s", "echo", "echo", "--help"]);
    expect(tool.code).toBe(0);
    expect(tool.stdout).toContain("--text");
  });

  it("an unknown name is a usage error (exit 2) listing the known names", async () => {
    const result = await runCli(sandbox, ["-s", "ecko", "echo", "--text", "hi"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no server named "ecko"');
    expect(result.stderr).toContain("did you mean echo?");
    expect(result.stderr).toContain("known servers: echo");
  });

  it("-s together with -- is a usage error (exit 2)", async () => {
    const result = await runCli(sandbox, [
      "-s",
      "echo",
      "echo",
      "--text",
      "x",
      "--",
      "node",
      SCRIPT,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("do not also give one after --");
  });
});

describe("policy trust|revoke -s <name>", () => {
  const call = ["-s", "echo", "echo", "--text", "hi"];

  it("approves a project config server ahead of its first start, and revoke takes it back", async () => {
    // No daemon left running from --yes starts above: this start must ask.
    expect((await runCli(sandbox, ["daemon", "stop", "--all"])).code).toBe(0);
    expect((await runCli(sandbox, call)).code).toBe(3);
    const trusted = await runCli(sandbox, ["-s", "echo", "policy", "trust"]);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toMatch(/^trusted: server "echo" of /);
    expect(trusted.stdout).toContain("config entry sha256:");
    expect(await runCli(sandbox, call)).toMatchObject({ code: 0, stdout: "hi\n" });
    const again = await runCli(sandbox, ["policy", "trust", "-s", "echo", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({
      trusted: true,
      alreadyTrusted: true,
      server: "echo",
    });

    const revoked = await runCli(sandbox, ["policy", "revoke", "--server", "echo"]);
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain('revoked the approval of server "echo"');
    // The running daemon keeps its start approval; a new start asks again.
    expect((await runCli(sandbox, ["daemon", "stop", "--all"])).code).toBe(0);
    const asked = await runCli(sandbox, call);
    expect(asked.code).toBe(3);
    expect(asked.stderr).toContain("--yes");
  });

  it("asks again after trust when the config entry changes", async () => {
    expect((await runCli(sandbox, ["-s", "echo", "policy", "trust"])).code).toBe(0);
    writeConfig({ echo: ["echo"] });
    try {
      expect((await runCli(sandbox, ["daemon", "stop", "--all"])).code).toBe(0);
      const asked = await runCli(sandbox, ["-s", "echo", "add", "--a", "1", "--b", "2"]);
      expect(asked.code).toBe(3);
      expect(asked.stderr).toContain("not approved this entry");
    } finally {
      writeConfig({ echo: ["add"] });
      await runCli(sandbox, ["-s", "echo", "policy", "revoke"]);
    }
  });

  it("an unknown name is a usage error with a did-you-mean, and -s with -- is refused", async () => {
    const unknown = await runCli(sandbox, ["-s", "ecko", "policy", "trust"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("did you mean echo?");
    const both = await runCli(sandbox, ["policy", "trust", "-s", "echo", "--", "node", SCRIPT]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("do not also give one after --");
    const check = await runCli(sandbox, ["-s", "echo", "policy", "check"]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain("-s is not supported with mcpward policy check");
  });
});

describe("profiles (--profile, MCPWARD_PROFILE)", () => {
  it("a server of profile prod is unknown without the profile", async () => {
    const result = await runCli(sandbox, ["-s", "prod-echo", "add", "--a", "1", "--b", "1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no server named "prod-echo"');
    expect(result.stderr).toContain("--profile prod");
  });

  it("runs with --profile prod or MCPWARD_PROFILE=prod, with the profile server's rules", async () => {
    const args = ["--yes", "--profile", "prod", "-s", "prod-echo", "add", "--a", "1", "--b", "1"];
    expect(await runCli(sandbox, args)).toMatchObject({ code: 0, stdout: '{"sum":2}\n' });
    const viaEnv = await runCli(sandbox, ["--yes", "-s", "prod-echo", "echo", "--text", "x"], {
      env: { MCPWARD_PROFILE: "prod" },
    });
    expect(viaEnv.code).toBe(3);
    expect(viaEnv.stderr).toContain("echo");
  });

  it("a daemon started without a profile never serves a call made under one (its rules would not apply)", async () => {
    const server = ["--", "node", SCRIPT];
    const plain = await runCli(sandbox, ["add", "--a", "1", "--b", "2", ...server]);
    expect(plain).toMatchObject({ code: 0, stdout: '{"sum":3}\n' });
    const before = (await daemonStatuses(sandbox)).length;

    const strict = await runCli(sandbox, [
      "--profile",
      "strict",
      "add",
      "--a",
      "1",
      "--b",
      "2",
      ...server,
    ]);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toContain("add");
    const viaEnv = await runCli(sandbox, ["add", "--a", "1", "--b", "2", ...server], {
      env: { MCPWARD_PROFILE: "strict" },
    });
    expect(viaEnv.code).toBe(3);
    // The profile's call got a daemon of its own; the first one serves on.
    expect(await daemonStatuses(sandbox)).toHaveLength(before + 1);
    expect(await runCli(sandbox, ["add", "--a", "2", "--b", "2", ...server])).toMatchObject({
      code: 0,
      stdout: '{"sum":4}\n',
    });

    // daemon commands find the profile's daemon with the same profile.
    const stopped = await runCli(sandbox, ["--profile", "strict", "daemon", "stop", ...server]);
    expect(stopped.code).toBe(0);
    expect(await daemonStatuses(sandbox)).toHaveLength(before);
  });

  it("an unknown profile is a usage error (exit 2) listing the profiles", async () => {
    const result = await runCli(sandbox, [
      "--profile",
      "staging",
      "-s",
      "echo",
      "echo",
      "--text",
      "x",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown profile "staging"');
    expect(result.stderr).toContain("dev, prod");
  });
});
