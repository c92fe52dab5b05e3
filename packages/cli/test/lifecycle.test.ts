// biome-ignore-all lint/suspicious/noTemplateCurlyInString: a config template, written with ${VAR}
// What a user sees of the daemon's lifecycle through the built CLI: the
// notice after a code-change restart (and --quiet), `daemon status` with the
// project config's servers, the daemon limit's notice, and secrets kept out
// of everything printed. The server is the dependency-free lifecycle fixture
// copied into the project (a level-2 server: no prompts).
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, daemonStatuses, destroySandbox, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
let script: string;
const SERVER = ["--", "node", "./server.mjs"];

beforeAll(() => {
  sandbox = createSandbox();
  script = join(sandbox.project, "server.mjs");
  copyFileSync(servers.lifecycle, script);
  script = realpathSync(script);
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

function setVersion(file: string, version: string): void {
  const text = readFileSync(file, "utf8").replace(
    /const VERSION = "[^"]*";/,
    `const VERSION = "${version}";`,
  );
  writeFileSync(file, text);
}

describe("restart on code change", () => {
  it("restarts the server after its script is edited and says so in one line; --quiet hides it", async () => {
    expect(await runCli(sandbox, ["increment", ...SERVER])).toMatchObject({
      code: 0,
      stdout: "1\n",
    });
    expect(await runCli(sandbox, ["increment", ...SERVER])).toMatchObject({
      code: 0,
      stdout: "2\n",
      stderr: "",
    });

    setVersion(script, "edited");
    expect(await runCli(sandbox, ["get", ...SERVER])).toEqual({
      code: 0,
      signal: null,
      stdout: "0\n",
      stderr: `mcpward: restarted the server: ${script} changed\n`,
    });
    expect(await runCli(sandbox, ["version", ...SERVER])).toMatchObject({
      stdout: "edited\n",
      stderr: "",
    });

    await runCli(sandbox, ["increment", ...SERVER]);
    setVersion(script, "edited-again");
    expect(await runCli(sandbox, ["--quiet", "get", ...SERVER])).toMatchObject({
      code: 0,
      stdout: "0\n",
      stderr: "",
    });
    const [status] = await daemonStatuses(sandbox);
    expect(status).toMatchObject({ state: "ready", restarts: 2, restartOnChange: true });
  });

  it("keeps the running server when the project config turns restartOnChange off", async () => {
    const project = join(sandbox.root, "no-restart");
    mkdirSync(project);
    const file = join(project, "server.mjs");
    copyFileSync(servers.lifecycle, file);
    writeFileSync(join(project, "mcpward.config.json"), '{ "restartOnChange": false }\n');
    await runCli(sandbox, ["increment", ...SERVER], { cwd: project });
    setVersion(file, "ignored");
    expect(await runCli(sandbox, ["increment", ...SERVER], { cwd: project })).toMatchObject({
      code: 0,
      stdout: "2\n",
      stderr: "",
    });
    expect(await runCli(sandbox, ["version", ...SERVER], { cwd: project })).toMatchObject({
      stdout: "1\n",
    });
    await runCli(sandbox, ["daemon", "stop"], { cwd: project });
  });
});

describe("daemon status with configured servers", () => {
  it("lists the project config's servers as not started, with their tool count once known", async () => {
    const project = join(sandbox.root, "configured");
    mkdirSync(project);
    copyFileSync(servers.lifecycle, join(project, "server.mjs"));
    writeFileSync(
      join(project, "mcpward.config.json"),
      JSON.stringify({
        servers: {
          counter: { command: "node", args: ["./server.mjs"] },
          github: {
            command: "npx",
            args: ["-y", "@modelcontextprotocol/server-github"],
            env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${MW_TEST_UNSET_TOKEN}" },
          },
        },
      }),
    );
    const status = async () => {
      const result = await runCli(sandbox, ["daemon", "status", "--json"], { cwd: project });
      expect(result.stderr).toBe("");
      return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    };

    expect(await status()).toEqual([
      expect.objectContaining({ name: "counter", state: "not started", pid: null, tools: null }),
      expect.objectContaining({
        name: "github",
        state: "not started",
        daemonId: "",
        server: "GITHUB_PERSONAL_ACCESS_TOKEN=*** npx -y @modelcontextprotocol/server-github",
      }),
    ]);

    await runCli(sandbox, ["increment", ...SERVER], { cwd: project });
    const running = await status();
    expect(running[0]).toMatchObject({ name: "counter", state: "ready", calls: 1, tools: 6 });
    expect(running[1]).toMatchObject({ name: "github", state: "not started" });
    const table = await runCli(sandbox, ["daemon", "status"], { cwd: project });
    expect(table.stdout).toMatch(/ ready .* counter: node \.\/server\.mjs\n/);
    expect(table.stdout).toMatch(/ not started .* github: GITHUB_PERSONAL_ACCESS_TOKEN=\*\*\* npx/);

    await runCli(sandbox, ["daemon", "stop"], { cwd: project });
    expect((await status())[0]).toMatchObject({
      name: "counter",
      state: "not started",
      tools: 6,
    });
  });
});

describe("daemon limit", () => {
  it("tells the user which idle daemon it stopped to stay within MCPWARD_MAX_DAEMONS", async () => {
    const env = { MCPWARD_MAX_DAEMONS: "1" };
    const other = join(sandbox.root, "limit");
    mkdirSync(other);
    copyFileSync(servers.lifecycle, join(other, "server.mjs"));
    await runCli(sandbox, ["daemon", "stop", "--all"]);
    expect(await runCli(sandbox, ["get", ...SERVER], { env })).toMatchObject({
      code: 0,
      stderr: "",
    });
    const first = (await daemonStatuses(sandbox))[0]!;

    const result = await runCli(sandbox, ["get", ...SERVER], { env, cwd: other });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `^mcpward: stopped idle daemon ${String(first.daemonId).slice(0, 8)} \\(node \\./server\\.mjs in ${sandbox.project}, idle \\w+\\) to stay within 1 daemons \\(MCPWARD_MAX_DAEMONS\\)\n$`,
      ),
    );
    expect(await daemonStatuses(sandbox)).toEqual([]);

    const quiet = await runCli(sandbox, ["--quiet", "get", ...SERVER], { env });
    expect(quiet).toMatchObject({ code: 0, stderr: "" });
    await runCli(sandbox, ["daemon", "stop", "--all"]);
  });
});

describe("secrets", () => {
  it("prints no canary given as env after --, as an argument or in the caller's environment", async () => {
    const make = () => `ghp_${randomBytes(18).toString("hex")}`;
    const [inEnv, inArgument, inCaller] = [make(), make(), make()];
    const server = ["--", `GITHUB_TOKEN=${inEnv}`, "node", "./server.mjs"];
    const env = { MW_CALLER_SECRET: inCaller };
    const outputs = [
      await runCli(sandbox, ["echo", "--text", "hi", "--token", inArgument, ...server], { env }),
      await runCli(sandbox, ["increment", "--by", inArgument, ...server], { env }),
      await runCli(sandbox, ["--json", "increment", "--by", inArgument, ...server], { env }),
      await runCli(sandbox, ["echo", "--text", "x", "--tokn", inArgument, ...server], { env }),
      await runCli(sandbox, ["daemon", "status"], { env }),
      await runCli(sandbox, ["daemon", "status", "--json"], { env }),
      await runCli(sandbox, ["daemon", "logs", ...server], { env }),
      await runCli(sandbox, ["audit", "--json"], { env }),
    ];
    expect(outputs[0]).toMatchObject({ code: 0, stdout: "hi\n" });
    expect(outputs[1]!.code).toBe(2);
    expect(outputs[1]!.stderr).toMatch(/invalid value "\[REDACTED\]" for --by/);
    expect(outputs[5]!.stdout).toContain("GITHUB_TOKEN=***");
    expect(outputs[6]).toMatchObject({ code: 0 });
    expect(outputs[7]).toMatchObject({ code: 0 });
    expect(outputs[7]!.stdout).toContain('"tool.call"');
    for (const [i, output] of outputs.entries()) {
      const text = output.stdout + output.stderr;
      for (const secret of [inEnv, inArgument, inCaller]) {
        expect(text.includes(secret), `output ${i} shows a canary: ${text}`).toBe(false);
      }
    }
    await runCli(sandbox, ["daemon", "stop", "--all"]);
  });
});
