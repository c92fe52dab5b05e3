// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config templates, written with ${VAR}
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpwardError } from "@mcpward/core";
import { beforeEach, describe, expect, it } from "vitest";
import { type LoadedConfig, loadConfig } from "./config-load.js";
import { commandLineRules, listNamedServers, resolveNamedServer } from "./profiles.js";

let project: string;
let configDir: string;

beforeEach(() => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-profiles-")));
  project = join(root, "project");
  configDir = join(root, "config");
  mkdirSync(project);
  mkdirSync(configDir, { mode: 0o700 });
});

function setup(
  projectConfig: unknown,
  userConfig?: unknown,
  env: Record<string, string> = {},
  profile?: string,
): LoadedConfig {
  if (projectConfig !== undefined) {
    writeFileSync(join(project, "mcpward.config.json"), JSON.stringify(projectConfig));
  }
  if (userConfig !== undefined) {
    writeFileSync(join(configDir, "config.json"), JSON.stringify(userConfig), { mode: 0o600 });
  }
  return loadConfig({
    projectDir: project,
    env: { MCPWARD_CONFIG_DIR: configDir, ...env },
    profile,
  });
}

function failure(run: () => unknown): McpwardError {
  try {
    run();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("profiles and named servers: attacks", () => {
  it("does not let the project config loosen rules for servers it does not declare", () => {
    const config = setup(
      { tools: { allow: ["*"], deny: ["drop_*"] }, approval: "never" },
      { tools: { allow: ["read_*"] }, servers: { mine: { command: "my-server" } } },
    );
    for (const rules of [config.merged.rules, resolveNamedServer(config, "mine").rules]) {
      expect(rules.tools.allow).toEqual(["read_*"]);
      expect(rules.tools.deny).toEqual(["drop_*"]);
      expect(rules.approval).toBe("on-request");
    }
  });

  it("lets the project loosen only its own servers, which need approval by hash", () => {
    const config = setup({
      tools: { allow: ["list_*"] },
      servers: { db: { command: "db-server", tools: { allow: ["query"] }, approval: "never" } },
    });
    const db = resolveNamedServer(config, "db");
    expect(db.needsApproval).toBe(true);
    expect(db.rules.tools.allow).toEqual(["list_*", "query"]);
    expect(db.rules.approval).toBe("never");
    expect(db.configHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("lets a profile add rules but never loosen them", () => {
    const config = setup(
      {
        tools: { deny: ["a"] },
        approval: "always",
        profiles: { dev: { tools: { deny: ["b"], ask: ["c"] }, approval: "never" } },
      },
      undefined,
      {},
      "dev",
    );
    expect(config.merged.rules.tools.deny).toEqual(["a", "b"]);
    expect(config.merged.rules.tools.ask).toEqual(["c"]);
    expect(config.merged.rules.approval).toBe("always");
  });

  it("refuses a name declared in both files instead of letting a project shadow it", () => {
    const config = setup(
      { servers: { github: { command: "./evil-github" } } },
      {
        servers: {
          github: { command: "npx", args: ["-y", "@modelcontextprotocol/server-github"] },
        },
      },
    );
    const error = failure(() => resolveNamedServer(config, "github"));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toContain('server "github" is also declared in');
  });

  it("treats toString and __proto__ as unknown names, not object members", () => {
    const config = setup({ servers: { a: { command: "x" } } });
    expect(failure(() => resolveNamedServer(config, "toString")).message).toContain(
      'no server named "toString"; known servers: a',
    );
    expect(failure(() => resolveNamedServer(config, "__proto__")).message).toContain(
      "no server named",
    );
  });

  it("names a missing variable with its file and JSON path", () => {
    const config = setup({
      servers: { github: { command: "x", env: { TOKEN: "${GITHUB_TOKEN}" } } },
    });
    const error = failure(() => resolveNamedServer(config, "github"));
    expect(error.message).toContain(
      "mcpward.config.json: servers.github.env.TOKEN: ${GITHUB_TOKEN} is not set",
    );
  });
});

describe("profiles", () => {
  const config = {
    servers: { docs: { command: "docs-server" } },
    profiles: {
      dev: { servers: { db: { command: "db", args: ["--url", "${DEV_DB}"] } } },
      prod: {
        servers: { db: { command: "db", args: ["--read-only"] } },
        tools: { deny: ["write_*"] },
        roots: ["./data"],
      },
    },
  };

  it("keeps a profile's servers out of other profiles", () => {
    const none = setup(config);
    expect(listNamedServers(none).map((s) => s.name)).toEqual(["docs"]);
    expect(failure(() => resolveNamedServer(none, "db")).message).toContain(
      'it exists in profile "dev", "prod"; choose it with --profile',
    );
    const prod = setup(config, undefined, {}, "prod");
    expect(listNamedServers(prod).map((s) => s.jsonPath)).toEqual([
      "profiles.prod.servers.db",
      "servers.docs",
    ]);
    const db = resolveNamedServer(prod, "db");
    expect(db.args).toEqual(["--read-only"]);
    expect(db.rules.tools.deny).toEqual(["write_*"]);
    expect(db.rules.roots).toEqual([join(project, "data")]);
  });

  it("chooses --profile over MCPWARD_PROFILE over defaultProfile", () => {
    expect(setup(config, { defaultProfile: "dev" }).profile).toBe("dev");
    expect(setup(config, { defaultProfile: "dev" }, { MCPWARD_PROFILE: "prod" }).profile).toBe(
      "prod",
    );
    expect(
      setup(config, { defaultProfile: "dev" }, { MCPWARD_PROFILE: "prod" }, "dev").profile,
    ).toBe("dev");
  });

  it("refuses an unknown profile and lists the known ones", () => {
    const error = failure(() => setup(config, undefined, {}, "staging"));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toContain(
      '--profile: unknown profile "staging"; known profiles: dev, prod',
    );
    expect(failure(() => setup(config, undefined, { MCPWARD_PROFILE: "x" })).message).toContain(
      "MCPWARD_PROFILE: unknown profile",
    );
  });

  it("warns, not fails, when the user's default profile is not defined in this project", () => {
    const loaded = setup({ servers: {} }, { defaultProfile: "dev" });
    expect(loaded.profile).toBeNull();
    expect(loaded.warnings[0]).toContain('defaultProfile "dev" is not defined for this project');
  });

  it("refuses an unknown profile passed to resolveNamedServer", () => {
    const error = failure(() => resolveNamedServer(setup(config), "db", "staging"));
    expect(error.message).toContain('unknown profile "staging"; known profiles: dev, prod');
  });

  it("resolves a server in another profile when asked", () => {
    const loaded = setup(config, undefined, { DEV_DB: "postgres://localhost/dev" });
    expect(resolveNamedServer(loaded, "db", "dev").args).toEqual([
      "--url",
      "postgres://localhost/dev",
    ]);
    expect(commandLineRules(loaded, "prod").tools.deny).toEqual(["write_*"]);
  });
});

describe("resolveNamedServer", () => {
  it("expands env values and args from the environment given to loadConfig", () => {
    const loaded = setup(
      {
        servers: {
          github: {
            command: "npx",
            args: ["-y", "server", "--price", "$$5", "--org=${ORG}"],
            env: { GITHUB_TOKEN: "${GH_TOKEN}", MODE: "ci" },
            envPassthrough: ["HTTPS_PROXY"],
            timeouts: { tool: 30 },
          },
        },
      },
      undefined,
      { GH_TOKEN: "ghp_x", ORG: "acme" },
    );
    const github = resolveNamedServer(loaded, "github");
    expect(github.args).toEqual(["-y", "server", "--price", "$5", "--org=acme"]);
    expect({ ...github.env }).toEqual({ GITHUB_TOKEN: "ghp_x", MODE: "ci" });
    expect(github.envPassthrough).toEqual(["HTTPS_PROXY"]);
    expect(github.timeouts).toEqual({ tool: 30 });
    expect(github.rules.roots).toEqual([project]);
    expect(JSON.stringify(loaded)).not.toContain("ghp_x");
  });

  it("changes the config hash when the project entry or project rules change, not for the user's", () => {
    const hash = (projectConfig: unknown, user?: unknown): string =>
      resolveNamedServer(setup(projectConfig, user), "a").configHash;
    const base = hash({ servers: { a: { command: "x" } } });
    expect(hash({ servers: { a: { command: "x" } } }, { tools: { allow: ["*"] } })).toBe(base);
    expect(hash({ servers: { a: { command: "y" } } })).not.toBe(base);
    expect(hash({ servers: { a: { command: "x" } }, tools: { allow: ["*"] } })).not.toBe(base);
    expect(hash({ servers: { a: { command: "x", env: { A: "1" } } } })).not.toBe(base);
  });

  it("does not need approval for the user's own servers, and makes their relative plugins absolute", () => {
    const loaded = setup(
      undefined,
      {
        servers: { mine: { command: "srv", policies: ["./team.js", "@acme/policy"] } },
        roots: ["~/work"],
      },
      { HOME: "/home/me" },
    );
    const mine = resolveNamedServer(loaded, "mine");
    expect(mine.needsApproval).toBe(false);
    expect(mine.origin).toBe("user");
    expect(mine.rules.policies).toEqual([
      {
        specifier: join(configDir, "team.js"),
        origin: "user",
        file: join(configDir, "config.json"),
      },
      { specifier: "@acme/policy", origin: "user", file: join(configDir, "config.json") },
    ]);
    expect(mine.rules.roots).toEqual(["/home/me/work"]);
  });

  it("collects plugins from every layer with their origin", () => {
    const loaded = setup(
      { policies: ["./p.js"], servers: { a: { command: "x", policies: ["./q.js"] } } },
      { policies: ["@u/policy"] },
    );
    expect(
      resolveNamedServer(loaded, "a").rules.policies.map((p) => [p.specifier, p.origin]),
    ).toEqual([
      ["@u/policy", "user"],
      ["./p.js", "project"],
      ["./q.js", "project"],
    ]);
  });
});

describe("lifecycle settings: restartOnChange and memoryLimitMb", () => {
  it("restarts on change and has no memory limit by default", () => {
    const config = setup({ servers: { a: { command: "a-server" } } });
    expect(config.merged.rules).toMatchObject({ restartOnChange: true, memoryLimitMb: null });
    expect(resolveNamedServer(config, "a").rules).toMatchObject({
      restartOnChange: true,
      memoryLimitMb: null,
    });
  });

  it("lets the most specific layer choose restartOnChange", () => {
    const config = setup(
      {
        restartOnChange: false,
        servers: { a: { command: "a-server", restartOnChange: true }, b: { command: "b" } },
      },
      { restartOnChange: true },
    );
    expect(config.merged.rules.restartOnChange).toBe(false);
    expect(resolveNamedServer(config, "a").rules.restartOnChange).toBe(true);
    expect(resolveNamedServer(config, "b").rules.restartOnChange).toBe(false);
  });

  it("keeps the smallest memory limit of every layer, so a project can lower but not lift one", () => {
    const config = setup(
      { memoryLimitMb: 4096, servers: { a: { command: "a-server", memoryLimitMb: 300 } } },
      { memoryLimitMb: 1024 },
    );
    expect(config.merged.rules.memoryLimitMb).toBe(1024);
    expect(resolveNamedServer(config, "a").rules.memoryLimitMb).toBe(300);
  });

  it.each([0, -1, 1.5, "100"])("rejects memoryLimitMb %j", (value) => {
    const error = failure(() => setup({ memoryLimitMb: value }));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toMatch(/memoryLimitMb/);
  });

  it("rejects a restartOnChange that is not a boolean", () => {
    const error = failure(() => setup({ servers: { a: { command: "x", restartOnChange: "no" } } }));
    expect(error.message).toMatch(/servers\.a\.restartOnChange: must be true or false/);
  });
});
