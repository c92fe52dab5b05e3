import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyReport } from "../src/commands/policy-report.js";
import { createSandbox, destroySandbox, runCli, type Sandbox } from "./helpers.js";

// `policy check` starts nothing, so the servers named here need not run:
// only their files are inspected.

let sandbox: Sandbox;
let trustFile: string;
/** A script in a directory every user can write to. */
let planted: string;

beforeAll(() => {
  sandbox = createSandbox({ projectServers: false });
  trustFile = join(String(sandbox.env.MCPWARD_CONFIG_DIR), "trust.json");
  writeFileSync(join(sandbox.project, "server.mjs"), "// a project server\n");
  const open = join(sandbox.root, "world-writable");
  mkdirSync(open);
  chmodSync(open, 0o777);
  planted = join(open, "server.mjs");
  writeFileSync(planted, "// planted\n");
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

/** `policy check --json -- …` as an object, with its exit code. */
async function check(
  server: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; report: PolicyReport }> {
  const result = await runCli(sandbox, ["policy", "check", "--json", "--", ...server], options);
  expect(result.stderr).toBe("");
  return { code: result.code, report: JSON.parse(result.stdout) };
}

/** The rule lines of a text report: `[action, rule]` pairs. */
function ruleLines(text: string): string[][] {
  const start = text.indexOf("start rules\n");
  const block = text.slice(start).split("\n\n")[0]!.split("\n").slice(1);
  return block.map((line) => line.trim().split(/\s+/).slice(0, 2));
}

describe("policy check", () => {
  it("explains a project script as level 2 and allows it (exit 0)", async () => {
    const result = await runCli(sandbox, ["policy", "check", "--", "node", "./server.mjs"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const script = join(sandbox.project, "server.mjs");
    expect(result.stdout).toContain("trust        level 2 (project)\n");
    expect(result.stdout).toContain(`script       ${script}\n`);
    expect(result.stdout).toMatch(/\ncontent {6}sha256:[0-9a-f]{64}\n/);
    expect(ruleLines(result.stdout)).toEqual([
      ["allow", "command"],
      ["allow", "env"],
      ["allow", "trust.project"],
    ]);
    expect(result.stdout).toContain(`  roots      ${sandbox.project}\n`);
    expect(result.stdout).toMatch(/\noutcome {6}allow: mcpward would start this server/);

    const { code, report } = await check(["node", "./server.mjs"]);
    expect(code).toBe(0);
    expect(report).toMatchObject({
      server: "node ./server.mjs",
      projectDir: sandbox.project,
      trust: { level: 2, name: "project", script, approved: false },
      outcome: { action: "allow", rule: "trust.project" },
      tools: { approval: "on-request", roots: [sandbox.project] },
      plugins: [],
    });
    // Levels 1-2 inherit the caller's environment, minus mcpward's own variables.
    expect(report.environment.inherited).toContain("PATH");
    expect(report.environment.withheld).toContain("MCPWARD_STATE_DIR");
  });

  it("denies a script in a world-writable directory as level 4 (exit 3)", async () => {
    const result = await runCli(sandbox, ["policy", "check", "--", "node", planted]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("trust        level 4 (untrusted)\n");
    expect(result.stdout).toContain("file.world-writable-dir:");
    expect(result.stdout).toMatch(/\noutcome {6}deny: .*\(rule trust\.untrusted\)/);

    const { code, report } = await check(["node", planted]);
    expect(code).toBe(3);
    expect(report.trust.level).toBe(4);
    expect(report.outcome).toMatchObject({ action: "deny", rule: "trust.untrusted" });
    expect(report.environment.inherited).toEqual([]);
  });

  it("denies a blocked variable after -- by name, never showing its value (exit 3)", async () => {
    const server = ["LD_PRELOAD=/x-secret.so", "node", "./server.mjs"];
    const result = await runCli(sandbox, ["policy", "check", "--", ...server]);
    expect(result.code).toBe(3);
    expect(ruleLines(result.stdout)).toContainEqual(["deny", "env.blocked"]);
    expect(result.stdout).toMatch(
      /\noutcome {6}deny: .*\(rule env\.blocked\): environment variable LD_PRELOAD /,
    );
    expect(result.stdout).not.toContain("x-secret");

    const { code, report } = await check(server);
    expect(code).toBe(3);
    expect(report.outcome.rule).toBe("env.blocked");
    expect(report.environment.refused).toEqual(["LD_PRELOAD"]);
    expect(JSON.stringify(report)).not.toContain("x-secret");
  });

  it("lists an allowed explicit variable by name only", async () => {
    const { code, report } = await check(["API_TOKEN=tok-secret-123", "node", "./server.mjs"]);
    expect(code).toBe(0);
    expect(report.server).toBe("API_TOKEN=*** node ./server.mjs");
    expect(report.environment.explicit).toEqual(["API_TOKEN"]);
    expect(report.rules).toContainEqual(
      expect.objectContaining({ source: "env", action: "allow", rule: "env" }),
    );
    expect(JSON.stringify(report)).not.toContain("tok-secret-123");
  });

  it("asks for inline code (bash -c) and exits 0, saying it will ask", async () => {
    const result = await runCli(sandbox, ["policy", "check", "--", "bash", "-c", "exit 0"]);
    expect(result.code).toBe(0);
    expect(ruleLines(result.stdout)).toContainEqual(["ask", "command.inline-code"]);
    expect(result.stdout).toMatch(/\noutcome {6}ask: mcpward will ask before starting this server/);
    const { report } = await check(["bash", "-c", "exit 0"]);
    expect(report.outcome.action).toBe("ask");
    expect(report.trust.level).toBe(3);
  });

  it("classifies an official server run through npx as level 1 without running it", async () => {
    const { code, report } = await check(["npx", "-y", "@modelcontextprotocol/server-everything"]);
    expect(code).toBe(0);
    expect(report.trust).toMatchObject({ level: 1, name: "built-in" });
    expect(report.outcome).toMatchObject({ action: "allow", rule: "trust.built-in" });
  });

  it("reports config tool rules and plugins, and a plugin's deny decides (exit 3)", async () => {
    const project = join(sandbox.root, "configured");
    const configDir = join(sandbox.root, "configured-user");
    mkdirSync(project);
    mkdirSync(configDir, { mode: 0o700 });
    writeFileSync(join(project, "server.mjs"), "// a project server\n");
    writeFileSync(
      join(project, "mcpward.config.json"),
      JSON.stringify({ tools: { deny: ["delete_*"], ask: ["write_*"] }, approval: "always" }),
    );
    writeFileSync(
      join(configDir, "no-servers.mjs"),
      `export default {
  name: "no-servers-today",
  checkServerStart() {
    return { action: "deny", reason: "no servers today", rule: "test/no-servers" };
  },
};
`,
    );
    writeFileSync(
      join(configDir, "config.json"),
      JSON.stringify({ policies: ["./no-servers.mjs"] }),
      {
        mode: 0o600,
      },
    );
    const options = { cwd: project, env: { MCPWARD_CONFIG_DIR: configDir } };
    const { code, report } = await check(["node", "./server.mjs"], options);
    expect(code).toBe(3);
    expect(report.tools).toMatchObject({
      deny: ["delete_*"],
      ask: ["write_*"],
      approval: "always",
    });
    expect(report.plugins).toEqual([
      expect.objectContaining({ name: "no-servers-today", state: "ready", origin: "user" }),
    ]);
    expect(report.outcome).toMatchObject({ action: "deny", rule: "test/no-servers" });
    expect(report.config.project).toBe(join(project, "mcpward.config.json"));

    const text = await runCli(sandbox, ["policy", "check", "--", "node", "./server.mjs"], options);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain("  deny       delete_*\n");
    expect(text.stdout).toContain("  plugins    no-servers-today: ready (user config)");
    expect(ruleLines(text.stdout)).toContainEqual(["deny", "test/no-servers"]);
  });

  it("reports usage errors for a missing server and an unknown subcommand (exit 2)", async () => {
    const missing = await runCli(sandbox, ["policy", "check"]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toBe(
      "mcpward: policy check needs a server: mcpward policy check -- <server command>\n",
    );
    expect((await runCli(sandbox, ["policy", "check", "--"])).code).toBe(2);
    const typo = await runCli(sandbox, ["policy", "chek", "--", "node", "./server.mjs"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown policy command "chek"; did you mean check?');
    expect((await runCli(sandbox, ["policy"])).code).toBe(2);
  });
});

describe("policy trust and revoke", () => {
  const THIRD_PARTY = ["API_KEY=canary-trust-secret", "node", servers.echo];

  it("a third-party server asks until trusted, then is allowed; revoke asks again", async () => {
    const before = await check(THIRD_PARTY);
    expect(before.code).toBe(0);
    expect(before.report.trust).toMatchObject({ level: 3, approved: false });
    expect(before.report.outcome).toMatchObject({ action: "ask", rule: "trust.third-party" });

    const trust = await runCli(sandbox, ["policy", "trust", "--", ...THIRD_PARTY]);
    expect(trust).toMatchObject({ code: 0, stderr: "" });
    expect(trust.stdout).toContain(
      `trusted: API_KEY=*** node ${servers.echo} in ${sandbox.project}\n`,
    );
    expect(trust.stdout).toMatch(
      /level 3 \(third-party\), executable \/\S+, script \S+echo\.mjs\n/,
    );
    expect(trust.stdout).toMatch(/content sha256:[0-9a-f]{12}… /);
    const stored = readFileSync(trustFile, "utf8");
    expect(stored).toContain(before.report.daemonId);
    expect(stored).not.toContain("canary-trust-secret");

    const after = await check(THIRD_PARTY);
    expect(after.code).toBe(0);
    expect(after.report.trust.approved).toBe(true);
    expect(after.report.outcome).toMatchObject({ action: "allow", rule: "trust.third-party" });
    const text = await runCli(sandbox, ["policy", "check", "--", ...THIRD_PARTY]);
    expect(text.stdout).toContain("approval     approved in your trust store for this content\n");

    const again = await runCli(sandbox, ["policy", "trust", "--", ...THIRD_PARTY]);
    expect(again.stdout).toMatch(/^already trusted: /);

    // Another env value is another server identity: not covered.
    const other = await check(["API_KEY=other", "node", servers.echo]);
    expect(other.report.trust.approved).toBe(false);

    const revoke = await runCli(sandbox, ["policy", "revoke", "--", ...THIRD_PARTY]);
    expect(revoke).toMatchObject({ code: 0, stderr: "" });
    expect(revoke.stdout).toMatch(/^revoked 1 approval\(s\) of API_KEY=\*\*\* node /);
    expect((await check(THIRD_PARTY)).report.outcome.action).toBe("ask");
    const none = await runCli(sandbox, ["policy", "revoke", "--", ...THIRD_PARTY]);
    expect(none.stdout).toMatch(/^nothing to revoke: /);
  });

  it("refuses to trust a level-4 server (exit 3) and stores nothing", async () => {
    const before = existsSync(trustFile) ? readFileSync(trustFile, "utf8") : null;
    const result = await runCli(sandbox, ["policy", "trust", "--", "node", planted]);
    expect(result).toMatchObject({ code: 3, stdout: "" });
    expect(result.stderr).toMatch(
      /^mcpward: refusing to trust node .*: untrusted server \(level 4\)/,
    );
    expect(existsSync(trustFile) ? readFileSync(trustFile, "utf8") : null).toBe(before);
  });

  it("stores nothing for a project server, which needs no approval", async () => {
    const result = await runCli(sandbox, [
      "policy",
      "trust",
      "--json",
      "--",
      "node",
      "./server.mjs",
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ trusted: false, level: 2 });
  });

  it("reports a command that does not exist (exit 4)", async () => {
    const result = await runCli(sandbox, ["policy", "trust", "--", "no-such-server-xyz"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      "cannot trust no-such-server-xyz: no-such-server-xyz was not found",
    );
  });
});

describe("policy trust|revoke --plugin", () => {
  const PLUGIN = (verdict: string): string => `export default {
  name: "project-policy",
  checkServerStart() {
    return { action: "allow", reason: "${verdict}", rule: "test/project-policy" };
  },
};
`;

  it("approves a project policy plugin by its content, which a change or a revoke takes back", async () => {
    const project = join(sandbox.root, "plugin-project");
    mkdirSync(project);
    writeFileSync(join(project, "server.mjs"), "// a project server\n");
    writeFileSync(join(project, "policy.mjs"), PLUGIN("fine"));
    writeFileSync(
      join(project, "mcpward.config.json"),
      JSON.stringify({ policies: ["./policy.mjs"] }),
    );
    const options = { cwd: project };
    const server = ["node", "./server.mjs"];

    // Unapproved, the plugin runs nothing and denies, naming the fix.
    const before = await check(server, options);
    expect(before.code).toBe(3);
    expect(before.report.outcome).toMatchObject({ action: "deny", rule: "plugin.unapproved" });
    expect(JSON.stringify(before.report)).toContain("mcpward policy trust --plugin ./policy.mjs");

    const trusted = await runCli(sandbox, ["policy", "trust", "--plugin", "./policy.mjs"], options);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toMatch(/^trusted: policy plugin "\.\/policy\.mjs" of /);
    expect(trusted.stdout).toContain(`file ${join(realpathSync(project), "policy.mjs")}`);
    const after = await check(server, options);
    expect(after.code).toBe(0);
    expect(after.report.plugins).toEqual([
      expect.objectContaining({ name: "project-policy", state: "ready", origin: "project" }),
    ]);

    // Other content is not what was approved.
    writeFileSync(join(project, "policy.mjs"), PLUGIN("changed"));
    expect((await check(server, options)).report.outcome).toMatchObject({
      rule: "plugin.unapproved",
    });
    expect(
      (await runCli(sandbox, ["policy", "trust", "--plugin", "./policy.mjs"], options)).code,
    ).toBe(0);
    expect((await check(server, options)).code).toBe(0);

    const revoked = await runCli(
      sandbox,
      ["policy", "revoke", "--plugin", "./policy.mjs"],
      options,
    );
    expect(revoked.stdout).toContain('revoked the approval of policy plugin "./policy.mjs"');
    expect((await check(server, options)).report.outcome).toMatchObject({
      rule: "plugin.unapproved",
    });
  });

  it("refuses a plugin the project config does not name, and --plugin with a server (exit 2)", async () => {
    const project = join(sandbox.root, "plugin-project-2");
    mkdirSync(project);
    writeFileSync(join(project, "evil.mjs"), PLUGIN("evil"));
    writeFileSync(join(project, "mcpward.config.json"), JSON.stringify({ policies: [] }));
    const options = { cwd: project };
    const unknown = await runCli(sandbox, ["policy", "trust", "--plugin", "./evil.mjs"], options);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '"./evil.mjs" is not a policy plugin of this project\'s config',
    );
    expect(existsSync(trustFile) ? readFileSync(trustFile, "utf8") : "").not.toContain("evil");
    const both = await runCli(
      sandbox,
      ["policy", "trust", "--plugin", "./evil.mjs", "--", "node", "x.mjs"],
      options,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("do not also give a server");
  });
});
