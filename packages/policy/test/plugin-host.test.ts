import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PluginHost, type PluginHostOptions } from "../src/plugin-host.js";
import {
  combineDecisions,
  type Decision,
  type ServerInfo,
  type ToolCallContext,
} from "../src/policy.js";

const fixtures = fileURLToPath(new URL("./plugins/", import.meta.url));
const fixture = (name: string) => ({
  specifier: join(fixtures, `${name}.mjs`),
  origin: "user" as const,
});

const server: ServerInfo = {
  command: "npx",
  executable: "/usr/bin/npx",
  args: ["-y", "some-server"],
  envNames: ["API_TOKEN"],
  name: null,
  trustLevel: 3,
};

let project: string;
const hosts: PluginHost[] = [];

beforeEach(() => {
  project = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-plugins-")));
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

async function host(
  specifiers: PluginHostOptions["specifiers"],
  options: Partial<PluginHostOptions> = {},
): Promise<PluginHost> {
  const created = await PluginHost.create({
    projectDir: project,
    specifiers,
    timeoutMs: 500,
    ...options,
  });
  hosts.push(created);
  return created;
}

function call(tool: string, args: Record<string, unknown> = {}): ToolCallContext {
  return { server, projectDir: project, tool: { name: tool }, arguments: args };
}

async function only(h: PluginHost, context: ToolCallContext): Promise<Decision> {
  const decisions = await h.checkToolCall(context);
  expect(decisions).toHaveLength(1);
  return decisions[0]!;
}

describe("PluginHost: failure modes fail closed", () => {
  it("denies when a plugin never returns, and terminates its worker thread", async () => {
    const h = await host([fixture("never-returns")], { timeoutMs: 300 });
    const heartbeat = join(project, "heartbeat");
    writeFileSync(heartbeat, "");
    const started = Date.now();
    const decision = await only(h, call("anything", { heartbeat }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(decision).toEqual({
      action: "deny",
      reason: 'policy plugin "never-returns" did not answer within 300 ms; denied to fail closed',
      rule: "plugin.failed",
    });
    await new Promise((r) => setTimeout(r, 150));
    const beats = readFileSync(heartbeat, "utf8").length;
    expect(beats).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(heartbeat, "utf8").length).toBe(beats);
  });

  it("denies when a plugin blocks its thread, and keeps answering afterwards", async () => {
    const h = await host([fixture("busy-loop")], { timeoutMs: 200 });
    for (let i = 0; i < 2; i++) {
      const decision = await only(h, call("x"));
      expect(decision.action).toBe("deny");
      expect(decision.reason).toContain("did not answer within 200 ms");
    }
  });

  it("denies when a plugin throws, with its name and without secrets from the message", async () => {
    const decision = await only(await host([fixture("throws")]), call("x"));
    expect(decision.action).toBe("deny");
    expect(decision.rule).toBe("plugin.failed");
    expect(decision.reason).toContain('policy plugin "throws" failed (boom: token=[REDACTED])');
    expect(decision.reason).not.toContain("ghp_");
  });

  it("denies at once when a plugin calls process.exit", async () => {
    const h = await host([fixture("exits")], { timeoutMs: 5000 });
    const started = Date.now();
    const decision = await only(h, call("x"));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(decision.action).toBe("deny");
    expect(decision.reason).toContain("process.exit(0)");
  });

  it("denies when a plugin calls process.exit from a timer", async () => {
    const decision = await only(
      await host([fixture("exits-later")], { timeoutMs: 3000 }),
      call("x"),
    );
    expect(decision.action).toBe("deny");
    expect(decision.reason).toContain("process.exit(1)");
  });

  it("survives a plugin that tries to kill or abort the process", async () => {
    const h = await host([fixture("kills")]);
    expect((await only(h, call("x"))).reason).toContain("process.abort()");
    const [start] = await h.checkServerStart({ server, projectDir: project });
    expect(start?.action).toBe("deny");
    expect(start?.reason).toContain("process.kill()");
  });

  it("denies every kind of invalid decision", async () => {
    const h = await host([fixture("garbage")]);
    const expectations: Record<string, string> = {
      action: "action must be allow, ask or deny",
      reason: "reason must be a string",
      long: "reason must be at most 500 characters",
      escape: "reason must be one line of plain text",
      bidi: "reason must be one line of plain text",
      rule: "rule must be one word",
      string: "returned an invalid decision",
      null: "returned an invalid decision",
      bigint: "not plain data",
    };
    for (const [tool, message] of Object.entries(expectations)) {
      const decision = await only(h, call(tool));
      expect(decision.action, tool).toBe("deny");
      expect(decision.rule, tool).toBe("plugin.failed");
      expect(decision.reason, tool).toContain(message);
      expect(decision.reason, tool).not.toContain("\u001b");
    }
  });

  it("can never loosen a built-in deny: its allow loses in combineDecisions", async () => {
    const h = await host([fixture("allow-all")]);
    const builtIn: Decision = {
      action: "deny",
      reason: "LD_PRELOAD may not be set for a server",
      rule: "env.blocked",
    };
    const plugin = await h.checkToolCall(call("delete_everything"));
    expect(plugin).toEqual([{ action: "allow", reason: "trust me", rule: "lenient/allow" }]);
    expect(combineDecisions([builtIn, ...plugin])).toBe(builtIn);
    expect(combineDecisions([...plugin, builtIn])).toBe(builtIn);
    const ask: Decision = { action: "ask", reason: "third-party server", rule: "trust.level-3" };
    const start = await h.checkServerStart({ server, projectDir: project });
    expect(combineDecisions([ask, ...start])).toBe(ask);
  });

  it("denies when a plugin runs out of memory, within the memory limit", async () => {
    const h = await host([fixture("out-of-memory")], { memoryMb: 32, timeoutMs: 20_000 });
    const decision = await only(h, call("x"));
    expect(decision.action).toBe("deny");
    expect(decision.reason).toContain("ran out of memory (limit 32 MiB)");
  }, 30_000);

  it("denies with the reason when a module does not export a valid policy", async () => {
    const h = await host([
      fixture("no-policy"),
      fixture("nameless"),
      fixture("load-throws"),
      { specifier: join(fixtures, "missing.mjs"), origin: "user" },
    ]);
    const decisions = await h.checkToolCall(call("x"));
    expect(decisions.map((d) => d.action)).toEqual(["deny", "deny", "deny", "deny"]);
    expect(decisions[0]!.reason).toContain("could not be loaded");
    expect(decisions[0]!.reason).toContain("does not export a policy");
    expect(decisions[1]!.reason).toContain("without a name");
    expect(decisions[2]!.reason).toContain("cannot load");
    expect(decisions[3]!.reason).toContain("does not exist");
    expect(h.plugins.map((p) => p.state)).toEqual(["failed", "failed", "failed", "failed"]);
    expect(await h.checkServerStart({ server, projectDir: project })).toHaveLength(4);
  });
});

describe("PluginHost: code from the project", () => {
  function projectPlugin(): string {
    mkdirSync(join(project, "policies"));
    writeFileSync(
      join(project, "policies", "team.mjs"),
      `import { writeFileSync } from "node:fs";
       writeFileSync(${JSON.stringify(join(project, "ran"))}, "yes");
       export default { name: "team", checkToolCall: () => ({ action: "ask", reason: "team rule", rule: "team/ask" }) };`,
    );
    return "./policies/team.mjs";
  }

  it("does not run a project plugin that is not approved, and says so", async () => {
    const h = await host([projectPlugin()]);
    const decision = await only(h, call("x"));
    expect(decision.action).toBe("deny");
    expect(decision.rule).toBe("plugin.unapproved");
    expect(decision.reason).toContain("not approved");
    expect(existsSync(join(project, "ran"))).toBe(false);
    expect(h.plugins[0]?.state).toBe("unapproved");
  });

  it("runs it once approved by path and content hash", async () => {
    const specifier = projectPlugin();
    const seen: string[] = [];
    const h = await host([specifier], {
      isApproved: (plugin) => {
        seen.push(`${plugin.path} ${plugin.contentHash.slice(0, 7)}`);
        return true;
      },
    });
    expect(seen).toEqual([`${join(project, "policies", "team.mjs")} sha256:`]);
    expect(await only(h, call("x"))).toEqual({
      action: "ask",
      reason: "team rule",
      rule: "team/ask",
    });
  });

  it("reports an approval check that throws (a corrupt trust store) instead of running the plugin", async () => {
    const specifier = projectPlugin();
    const corrupt = new Error("trust.json is corrupt");
    await expect(
      PluginHost.create({
        projectDir: project,
        specifiers: [specifier, fixture("allow-all")],
        isApproved: () => {
          throw corrupt;
        },
      }),
    ).rejects.toBe(corrupt);
    expect(existsSync(join(project, "ran"))).toBe(false);
  });

  it("refuses project plugins outside the project, absolute paths and URLs", async () => {
    const outside = mkdtempSync(join(tmpdir(), "mcpward-outside-"));
    writeFileSync(join(outside, "p.mjs"), "export default { name: 'p' };");
    const relative = join("..", outside.split("/").at(-1)!, "p.mjs");
    const h = await host([`./${relative}`, join(outside, "p.mjs"), "data:text/javascript,1"], {
      isApproved: () => true,
    });
    const reasons = (await h.checkToolCall(call("x"))).map((d) => d.reason);
    expect(reasons[0]).toContain("resolves outside the project");
    expect(reasons[1]).toContain("is an absolute path in the project config");
    expect(reasons[2]).toContain("is a URL");
  });
});

describe("PluginHost", () => {
  it("passes plain JSON without secrets: no caller env, only the documented fields", async () => {
    process.env.MCPWARD_TEST_SECRET = "ghp_should_not_be_seen";
    try {
      const h = await host([fixture("named-export")]);
      const context = call("x", { path: "/p/a.txt", nested: { constructor: 1 } });
      (context.server as ServerInfo & { env?: unknown }).env = { API_TOKEN: "secret-value" };
      const decision = await only(h, context);
      const seen = JSON.parse(decision.reason);
      expect(
        seen.envKeys.every((k: string) => ["HOME", "LANG", "NODE_ENV", "PATH", "TZ"].includes(k)),
      ).toBe(true);
      expect(seen.keys).toEqual(["arguments", "projectDir", "server", "tool"]);
      expect(seen.serverKeys).toEqual([
        "args",
        "command",
        "envNames",
        "executable",
        "name",
        "trustLevel",
      ]);
      expect(seen.args).toEqual({ path: "/p/a.txt", nested: {} });
      expect(decision.reason).not.toContain("secret");
      expect(h.plugins).toEqual([
        {
          specifier: fixture("named-export").specifier,
          name: "acme/inspector",
          path: expect.any(String),
          state: "ready",
        },
      ]);
    } finally {
      delete process.env.MCPWARD_TEST_SECRET;
    }
  });

  it("loads a plugin once per worker and keeps it", async () => {
    const h = await host([fixture("counter")]);
    const reasons: string[] = [];
    for (let i = 0; i < 3; i++) reasons.push((await only(h, call("x"))).reason);
    expect(reasons).toEqual(["loads=1 calls=1", "loads=1 calls=2", "loads=1 calls=3"]);
  });

  it("answers concurrent decisions one at a time, each with its own time limit", async () => {
    const h = await host([fixture("counter"), fixture("allow-all")]);
    const results = await Promise.all([1, 2, 3].map(() => h.checkToolCall(call("x"))));
    expect(results.map((r) => r.length)).toEqual([2, 2, 2]);
    expect(results.map((r) => r[0]!.reason).sort()).toEqual([
      "loads=1 calls=1",
      "loads=1 calls=2",
      "loads=1 calls=3",
    ]);
  });

  it("leaves out abstentions and hooks a plugin does not have", async () => {
    const h = await host([fixture("garbage")]);
    expect(await h.checkServerStart({ server, projectDir: project })).toEqual([]);
    expect(await h.checkToolCall(call("unknown-tool"))).toEqual([]);
  });

  it("denies after close", async () => {
    const h = await host([fixture("allow-all")]);
    await h.close();
    const decision = await only(h, call("x"));
    expect(decision.action).toBe("deny");
    expect(decision.reason).toContain("was stopped");
  });

  it("returns no decisions without plugins", async () => {
    expect(await (await host([])).checkToolCall(call("x"))).toEqual([]);
  });
});
