import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config-load.js";
import { PluginHost } from "../src/plugin-host.js";
import { resolvePolicy } from "../src/plugin-resolve.js";
import { combineDecisions, type Decision, type ServerInfo } from "../src/policy.js";
import { TrustStore } from "../src/trust-store.js";

const example = fileURLToPath(new URL("../../../examples/policy-plugin/", import.meta.url));
const policyPackage = fileURLToPath(new URL("..", import.meta.url));

const server: ServerInfo = {
  command: "npx",
  executable: null,
  args: ["-y", "db-server"],
  envNames: [],
  name: "db",
  trustLevel: 3,
};

let project: string;
let env: Record<string, string>;
let host: PluginHost | undefined;

beforeEach(() => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-example-")));
  project = join(root, "project");
  env = { MCPWARD_CONFIG_DIR: join(root, "config") };
  // Installed by name, as npm would: the package copied into node_modules,
  // its peer dependency @mcpward/policy next to it.
  const scope = join(project, "node_modules", "@mcpward");
  mkdirSync(scope, { recursive: true });
  cpSync(example, join(scope, "example-policy"), { recursive: true });
  symlinkSync(policyPackage, join(scope, "policy"));
  writeFileSync(
    join(project, "mcpward.config.json"),
    JSON.stringify({ policies: ["@mcpward/example-policy"] }),
  );
});

afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function start(): Promise<PluginHost> {
  const config = loadConfig({ projectDir: project, env });
  const store = TrustStore.open(env);
  host = await PluginHost.create({
    projectDir: config.projectDir,
    specifiers: config.merged.rules.policies,
    isApproved: (plugin) =>
      store.isPolicyApproved({
        projectDir: config.projectDir,
        specifier: plugin.specifier,
        contentHash: plugin.contentHash,
      }),
  });
  return host;
}

async function approve(): Promise<void> {
  const config = loadConfig({ projectDir: project, env });
  const [reference] = config.merged.rules.policies;
  expect(reference).toEqual({
    specifier: "@mcpward/example-policy",
    origin: "project",
    file: join(project, "mcpward.config.json"),
  });
  const plugin = await resolvePolicy(config.projectDir, reference!);
  expect(plugin.path).toBe(join(project, "node_modules", "@mcpward", "example-policy", "index.js"));
  TrustStore.open(env).approvePolicy({
    projectDir: config.projectDir,
    specifier: plugin.specifier,
    contentHash: plugin.contentHash,
  });
}

const call = (tool: string, args: Record<string, unknown> = {}) => ({
  server,
  projectDir: project,
  tool: { name: tool },
  arguments: args,
});

describe("example policy plugin, installed by name in a project", () => {
  it("is not loaded from the project config until the user approves it", async () => {
    const h = await start();
    const [decision] = await h.checkToolCall(call("list_tables"));
    expect(decision?.rule).toBe("plugin.unapproved");
    expect(decision?.action).toBe("deny");
  });

  it("denies delete_* tools and asks before calls with an sql argument", async () => {
    await approve();
    const h = await start();
    expect(h.plugins[0]).toMatchObject({ name: "@mcpward/example-policy", state: "ready" });
    const builtInAllow: Decision = { action: "allow", reason: "no rule objected", rule: "default" };

    const deleted = await h.checkToolCall(call("delete_table", { table: "users" }));
    expect(deleted).toEqual([
      {
        action: "deny",
        reason: "delete_table deletes data; this project does not allow delete_* tools",
        rule: "example/no-delete",
      },
    ]);
    expect(combineDecisions([builtInAllow, ...deleted]).rule).toBe("example/no-delete");

    const query = await h.checkToolCall(call("run_query", { sql: "select 1" }));
    expect(combineDecisions([builtInAllow, ...query])).toMatchObject({
      action: "ask",
      rule: "example/review-sql",
    });

    expect(await h.checkToolCall(call("list_tables"))).toEqual([]);
    const started = await h.checkServerStart({
      server: { ...server, args: ["--no-sandbox"] },
      projectDir: project,
    });
    expect(started[0]).toMatchObject({ action: "deny", rule: "example/no-unsandboxed" });
  });

  it("asks again for approval when the installed plugin's code changes", async () => {
    await approve();
    appendFileSync(
      join(project, "node_modules", "@mcpward", "example-policy", "index.js"),
      "\n// changed\n",
    );
    const [decision] = await (await start()).checkToolCall(call("delete_table"));
    expect(decision?.rule).toBe("plugin.unapproved");
  });
});
