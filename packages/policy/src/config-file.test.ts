// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config templates, written with ${VAR}
import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpwardError } from "@mcpward/core";
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES, readConfigFile } from "./config-file.js";

let project: string;
let file: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "mcpward-config-"));
  file = join(project, "mcpward.config.json");
});

function readProject(text: string): unknown {
  writeFileSync(file, text);
  return readConfigFile(file, "project", project)?.config;
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

function projectError(config: unknown): McpwardError {
  return failure(() => readProject(typeof config === "string" ? config : JSON.stringify(config)));
}

describe("project config: attacks", () => {
  it("refuses a project config that claims to trust itself", () => {
    for (const claim of [
      { trusted: true },
      { trust: "all" },
      { servers: { evil: { command: "./evil", trust: 1 } } },
      { profiles: { dev: { trustLevel: 1 } } },
    ]) {
      const error = projectError(claim);
      expect(error.code).toBe("BAD_CONFIG");
      expect(error.message).toContain("a repository cannot trust itself");
      expect(error.message).toContain(file);
    }
  });

  it("reports the trust claim even when other keys are also wrong", () => {
    const error = projectError({ sevrers: {}, trusted: true });
    expect(error.message).toContain("cannot trust itself");
  });

  it("refuses __proto__, constructor and prototype as server or env names", () => {
    const proto = projectError('{"servers": {"__proto__": {"command": "x"}}}');
    expect(proto.message).toContain("servers.__proto__");
    expect(proto.message).toContain("reserved");
    const ctor = projectError({ servers: { a: { command: "x", env: { constructor: "1" } } } });
    expect(ctor.message).toContain("servers.a.env.constructor");
    const prototype = projectError({ profiles: { prototype: {} } });
    expect(prototype.message).toContain("profiles.prototype");
  });

  it("refuses a config over 1 MiB without parsing it", () => {
    const big = JSON.stringify({
      servers: { a: { command: "x", args: ["x".repeat(2 * MAX_CONFIG_BYTES)] } },
    });
    const error = projectError(big);
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toContain("larger than 1 MiB");
  });

  it("refuses nesting deeper than any valid setting", () => {
    const deep = `{"servers": {"a": {"command": "x", "args": ${"[".repeat(50_000)}${"]".repeat(50_000)}}}}`;
    const error = projectError(deep);
    expect(error.message).toContain("nested deeper than 16 levels");
  });

  it("reports invalid JSON with line and column and without quoting the file", () => {
    const error = projectError(
      '{\n  "servers": {\n    "a": {command: "ghp_abcdefghijklmnopqrstuvwxyz012345"}\n  }\n}',
    );
    expect(error.message).toContain("invalid JSON at line 3 column 11");
    expect(error.message).not.toContain("ghp_");
    const trailing = projectError(
      '{"servers": {"a": {"command": "x", "env": {"T": "sk-secretsecretsecret"},}}}',
    );
    expect(trailing.message).toMatch(/line 1 column \d+/);
    expect(trailing.message).not.toContain("sk-secret");
    expect(projectError('{"servers": ').message).toContain("unexpected end of file");
  });

  it("names unknown keys with a did-you-mean", () => {
    const error = projectError({ servers: { github: { comand: "x" } } });
    expect(error.message).toBe(
      `${file}: servers.github.comand: unknown key; did you mean "command"?`,
    );
    expect(projectError({ server: {} }).message).toContain('did you mean "servers"?');
    expect(
      projectError({ servers: { a: { command: "x", tools: { alow: [] } } } }).message,
    ).toContain('did you mean "allow"?');
    expect(projectError({ zzzzzz: 1 }).message).toContain("allowed keys: $schema, servers");
  });

  it("keeps user-only settings out of the project config", () => {
    const error = projectError({ denyList: ["curl"] });
    expect(error.message).toContain('"denyList" can only be set in your user config');
  });

  it("refuses roots outside the project, also through a symlink", () => {
    expect(projectError({ roots: ["../"] }).message).toContain("roots[0]");
    expect(projectError({ roots: ["/etc"] }).message).toContain(
      "only name roots inside the project",
    );
    symlinkSync(tmpdir(), join(project, "out"));
    expect(projectError({ servers: { a: { command: "x", roots: ["./out"] } } }).message).toContain(
      "servers.a.roots[0]",
    );
    expect(readProject(JSON.stringify({ roots: ["./src", "."] }))).toBeDefined();
  });

  it("refuses a project config that is a symlink to a file outside the project", () => {
    const outside = mkdtempSync(join(tmpdir(), "mcpward-outside-"));
    writeFileSync(join(outside, "config.json"), "{}");
    symlinkSync(join(outside, "config.json"), file);
    const error = failure(() => readConfigFile(file, "project", project));
    expect(error.message).toContain("symbolic link to a file outside the project");
  });

  it("accepts a project config that links to a file inside the project", () => {
    mkdirSync(join(project, "conf"));
    writeFileSync(join(project, "conf", "mcpward.json"), '{"servers": {}}');
    symlinkSync(join(project, "conf", "mcpward.json"), file);
    expect(readConfigFile(file, "project", project)?.config).toEqual({ servers: {} });
  });

  it("never repeats a value in a type error", () => {
    const error = projectError({ servers: { a: { command: "x", env: { TOKEN: 123456789 } } } });
    expect(error.message).toBe(
      `${file}: servers.a.env.TOKEN: must be a string, not a number; fix the value`,
    );
    expect(error.message).not.toContain("123456789");
  });

  it("refuses URLs as policy specifiers", () => {
    const error = projectError({ policies: ["data:text/javascript,process.exit()"] });
    expect(error.message).toContain("policies[0]: must be a package name or a ./relative path");
  });

  it("refuses bytes that are not UTF-8", () => {
    writeFileSync(file, Buffer.from([0x7b, 0xff, 0x7d]));
    expect(failure(() => readConfigFile(file, "project", project)).message).toContain("UTF-8");
  });
});

describe("user config: attacks", () => {
  let userFile: string;
  beforeEach(() => {
    userFile = join(project, "config.json");
    writeFileSync(userFile, '{"denyList": ["curl"]}');
  });

  it("refuses a user config others can write (it can loosen rules)", () => {
    chmodSync(userFile, 0o666);
    const error = failure(() => readConfigFile(userFile, "user"));
    expect(error.message).toContain("writable by group or others");
    expect(error.message).toContain("chmod go-w");
  });

  it("refuses a user config owned by someone else", () => {
    if (process.getuid?.() !== 0) return; // chown needs root
    chownSync(userFile, 4321, 4321);
    expect(failure(() => readConfigFile(userFile, "user")).message).toContain("owned by uid 4321");
  });

  it("tells that trust is not a config setting", () => {
    writeFileSync(userFile, '{"trusted": ["./x"]}');
    expect(failure(() => readConfigFile(userFile, "user")).message).toContain(
      "trust is not a config setting",
    );
  });
});

describe("readConfigFile", () => {
  it("returns null when the file does not exist", () => {
    expect(readConfigFile(file, "project", project)).toBeNull();
  });

  it("reads a complete config and ignores a byte order mark", () => {
    const config = {
      $schema: "https://example.com/mcpward.schema.json",
      servers: {
        github: {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-github"],
          env: { GITHUB_TOKEN: "${GITHUB_TOKEN}" },
          tools: { allow: ["get_*"], deny: ["delete_*"], ask: ["create_*"] },
          roots: ["."],
          envPassthrough: ["HTTPS_PROXY"],
          approval: "always",
          timeouts: { tool: 30, startup: 10, idle: 600 },
          policies: ["./policies/team.js"],
        },
      },
      approval: "on-request",
      tools: { deny: ["*_admin"] },
      roots: ["."],
      policies: ["@acme/mcpward-policy"],
      profiles: { prod: { servers: {}, tools: { deny: ["*"] }, approval: "always" } },
    };
    writeFileSync(file, `\ufeff${JSON.stringify(config)}`);
    expect(readConfigFile(file, "project", project)?.config).toEqual(config);
  });

  it("checks ranges, names and formats with messages that say what is allowed", () => {
    expect(projectError({ servers: { "my server": { command: "x" } } }).message).toContain(
      'servers["my server"]: must be 1-64 letters',
    );
    expect(
      projectError({ servers: { a: { command: "x", env: { "BAD-NAME": "" } } } }).message,
    ).toContain("must be a variable name");
    expect(
      projectError({ servers: { a: { command: "x", timeouts: { tool: 1e9 } } } }).message,
    ).toContain("servers.a.timeouts.tool: must be at most 86400 s");
    expect(projectError({ approval: "sometimes" }).message).toContain(
      'approval: must be "on-request", "never" or "always"',
    );
    expect(projectError({ servers: { a: {} } }).message).toContain("servers.a.command: is missing");
    expect(projectError({ servers: { a: { command: "" } } }).message).toContain(
      "must not be empty",
    );
    expect(projectError("[]").message).toContain("must hold a JSON object");
  });
});
