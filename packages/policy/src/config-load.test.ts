// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config templates, written with ${VAR}
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpwardError } from "@mcpward/core";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config-load.js";

let root: string;
let project: string;
let configDir: string;
let env: Record<string, string>;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-load-")));
  project = join(root, "project");
  configDir = join(root, "config");
  mkdirSync(project);
  mkdirSync(configDir, { mode: 0o700 });
  env = { MCPWARD_CONFIG_DIR: configDir };
});

function writeProject(config: unknown, mode = 0o644): string {
  const file = join(project, "mcpward.config.json");
  writeFileSync(file, JSON.stringify(config));
  chmodSync(file, mode);
  return file;
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

describe("loadConfig: attacks", () => {
  it("warns when a file others can read holds a literal secret, naming the path, not the value", () => {
    const file = writeProject({
      servers: {
        github: { command: "x", env: { GITHUB_TOKEN: "ghp_abcdefghijklmnopqrstuvwxyz0123456789" } },
      },
    });
    const { warnings } = loadConfig({ projectDir: project, env });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toContain("servers.github.env.GITHUB_TOKEN looks like a secret");
    expect(warnings[0]).toContain("chmod 600");
    expect(warnings[0]).not.toContain("ghp_");
  });

  it("warns about credentials in a URL or an argument too", () => {
    writeProject({
      servers: { db: { command: "x", args: ["--url", "postgres://app:hunter2@db/prod"] } },
    });
    expect(loadConfig({ projectDir: project, env }).warnings[0]).toContain("servers.db.args[1]");
  });

  it("does not warn for ${VAR} references, plain settings or a private file", () => {
    writeProject({
      servers: {
        a: {
          command: "x",
          env: { TOKEN: "${TOKEN}", AUTH: "Bearer ${T}", NODE_ENV: "production" },
        },
      },
    });
    expect(loadConfig({ projectDir: project, env }).warnings).toEqual([]);
    writeProject({ servers: { a: { command: "x", env: { TOKEN: "literal-secret" } } } }, 0o600);
    expect(loadConfig({ projectDir: project, env }).warnings).toEqual([]);
  });

  it("reports a bad $ in any server at load time, before the server is used", () => {
    writeProject({ servers: { unused: { command: "x", args: ["$HOME"] } } });
    const error = failure(() => loadConfig({ projectDir: project, env }));
    expect(error.message).toContain("servers.unused.args[0]: has a lone");
  });

  it("reads the user config from the config directory, never trust from the project", () => {
    writeProject({ servers: {} });
    writeFileSync(join(configDir, "config.json"), '{"denyList": ["/tmp/evil"]}', { mode: 0o600 });
    const loaded = loadConfig({ projectDir: project, env });
    expect(loaded.merged.denyList).toEqual(["/tmp/evil"]);
    expect(loaded.files).toEqual({
      project: join(project, "mcpward.config.json"),
      user: join(configDir, "config.json"),
    });
  });
});

describe("loadConfig", () => {
  it("works without any config file: no servers, default rules", () => {
    const loaded = loadConfig({ projectDir: project, env });
    expect(loaded.project).toBeNull();
    expect(loaded.user).toBeNull();
    expect(loaded.files).toEqual({ project: null, user: null });
    expect(loaded.merged).toEqual({
      profile: null,
      rules: {
        tools: { allow: [], deny: [], ask: [] },
        approval: "on-request",
        roots: [project],
        policies: [],
        restartOnChange: true,
        memoryLimitMb: null,
      },
      servers: [],
      denyList: [],
    });
  });

  it("uses the real path of the project directory", () => {
    symlinkSync(project, join(root, "link"));
    writeProject({ servers: { a: { command: "x" } } });
    const loaded = loadConfig({ projectDir: join(root, "link"), env });
    expect(loaded.projectDir).toBe(project);
    expect(loaded.merged.servers).toEqual([
      {
        name: "a",
        origin: "project",
        file: join(project, "mcpward.config.json"),
        jsonPath: "servers.a",
      },
    ]);
  });

  it("reports a missing project directory", () => {
    const error = failure(() => loadConfig({ projectDir: join(root, "nope"), env }));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toContain("project directory not found");
  });
});
