import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ClassifyServerInput, classifyServer, decideTrust } from "./trust-level.js";

let root: string;
let proj: string;
let bin: string;

function dir(path: string, mode = 0o755): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  return path;
}

function program(path: string, mode = 0o755): string {
  writeFileSync(path, "#!/bin/sh\nexit 0\n");
  chmodSync(path, mode);
  return path;
}

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-trust-")));
  proj = dir(join(root, "proj"));
  bin = dir(join(root, "bin"));
  for (const name of ["npx", "bunx", "pnpm", "yarn", "node", "python3", "bash", "some-server"]) {
    program(join(bin, name));
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

function classify(command: string, args: string[] = [], extra: Partial<ClassifyServerInput> = {}) {
  return classifyServer({
    command,
    args,
    envNames: [],
    projectDir: proj,
    cwd: proj,
    pathValue: bin,
    ...extra,
  });
}

function rulesOf(reasons: readonly string[]): string[] {
  return reasons.map((reason) => reason.slice(0, reason.indexOf(":")));
}

const FILESYSTEM = ["-y", "@modelcontextprotocol/server-filesystem", "/data"];

describe("classifyServer: level 4 (untrusted)", () => {
  it("an executable in a world-writable directory such as /tmp", () => {
    const srv = program(join(dir(join(root, "tmp"), 0o1777), "srv"));
    const result = classify(srv);
    expect(result.level).toBe(4);
    expect(rulesOf(result.reasons)).toEqual(["file.world-writable-dir"]);
    expect(result.executable).toBe(srv);
  });

  it("a symlink in the project pointing at an executable in /tmp", () => {
    const real = program(join(dir(join(root, "tmp"), 0o1777), "srv"));
    symlinkSync(real, join(proj, "srv"));
    const result = classify("./srv");
    expect(result.level).toBe(4);
    expect(result.executable).toBe(real);
  });

  it("a script in a world-writable directory, even run by a trusted interpreter", () => {
    const script = join(dir(join(root, "tmp"), 0o777), "s.js");
    writeFileSync(script, "");
    const result = classify("node", [script]);
    expect(result.level).toBe(4);
    expect(result.script).toBe(script);
    expect(rulesOf(result.reasons)).toEqual(["file.world-writable-dir"]);
  });

  it("an executable or script owned by another user", () => {
    const srv = program(join(proj, "srv"));
    chownSync(srv, 65534, 65534);
    expect(rulesOf(classify("./srv").reasons)).toEqual(["file.foreign-owner"]);
    const script = join(proj, "s.py");
    writeFileSync(script, "");
    chownSync(script, 65534, 65534);
    expect(classify("python3", ["s.py"]).level).toBe(4);
  });

  it("a group-writable script in the project", () => {
    const script = join(proj, "s.js");
    writeFileSync(script, "");
    chmodSync(script, 0o664);
    expect(rulesOf(classify("node", ["s.js"]).reasons)).toEqual(["file.writable-by-others"]);
  });

  it("a command found through a relative PATH entry", () => {
    program(join(dir(join(proj, "bin")), "tool"));
    for (const pathValue of ["bin", `bin:${bin}`]) {
      const result = classify("tool", [], { pathValue });
      expect(result.level).toBe(4);
      expect(rulesOf(result.reasons)).toEqual(["path.relative-entry"]);
    }
    program(join(proj, "tool2"));
    expect(rulesOf(classify("tool2", [], { pathValue: `:${bin}` }).reasons)).toEqual([
      "path.relative-entry",
    ]);
  });

  it("a command found through a world-writable PATH entry", () => {
    const ww = dir(join(root, "wwbin"), 0o777);
    symlinkSync(join(bin, "some-server"), join(ww, "some-server"));
    const result = classify("some-server", [], { pathValue: `${ww}:${bin}` });
    expect(result.level).toBe(4);
    expect(rulesOf(result.reasons)).toEqual(["path.world-writable-entry"]);
  });

  it("shell metacharacters in the command", () => {
    for (const command of ["node;id", "$(id)", "srv|sh", "a&&b", "`id`", "x\ny"]) {
      const result = classify(command);
      expect(result.level, command).toBe(4);
      expect(rulesOf(result.reasons)[0]).toBe("command.shell-metacharacters");
    }
  });

  it("the deny list, by command name, resolved path or package, in any case", () => {
    expect(classify("some-server", [], { denyList: ["some-server"] }).level).toBe(4);
    expect(classify("some-server", [], { denyList: ["SOME-SERVER"] }).level).toBe(4);
    symlinkSync(join(bin, "some-server"), join(bin, "alias"));
    const byPath = classify("alias", [], { denyList: [join(bin, "some-server")] });
    expect(byPath.level).toBe(4);
    expect(byPath.reasons[0]).toMatch(/^trust\.deny-list: /);
    expect(classify("npx", ["-y", "@evil/mcp@1.0.0"], { denyList: ["@evil/mcp"] }).level).toBe(4);
    expect(
      classify("npx", FILESYSTEM, { denyList: ["@modelcontextprotocol/server-filesystem"] }).level,
    ).toBe(4);
    expect(classify("some-server", [], { denyList: ["other-server", "  "] }).level).toBe(3);
  });

  it("wins over a user approval", () => {
    const srv = program(join(dir(join(root, "tmp"), 0o1777), "srv"));
    expect(classify(srv, [], { configApproved: true }).level).toBe(4);
  });

  it("the package runner itself in an unsafe place", () => {
    const ww = dir(join(root, "wwbin"), 0o777);
    program(join(ww, "npx"));
    expect(classify("npx", FILESYSTEM, { pathValue: ww }).level).toBe(4);
  });
});

describe("classifyServer: level 1 (built-in)", () => {
  it("official reference servers through npx, bunx, pnpm dlx and yarn dlx", () => {
    expect(classify("npx", FILESYSTEM).level).toBe(1);
    expect(classify("npx", ["@modelcontextprotocol/server-memory@2025.4.25"]).level).toBe(1);
    expect(
      classify("npx", ["--yes", "--", "@modelcontextprotocol/server-everything@latest"]).level,
    ).toBe(1);
    expect(classify("bunx", ["@modelcontextprotocol/server-sequential-thinking"]).level).toBe(1);
    expect(classify("pnpm", ["dlx", "@modelcontextprotocol/server-filesystem", "."]).level).toBe(1);
    expect(classify("yarn", ["dlx", "@modelcontextprotocol/server-filesystem"]).level).toBe(1);
    expect(classify("npx", FILESYSTEM).reasons[0]).toMatch(
      /^trust\.built-in: @modelcontextprotocol\/server-filesystem/,
    );
  });

  it("not other packages in the scope, lookalikes or aliases", () => {
    for (const spec of [
      "@modelcontextprotocol/server-evil",
      "@modelcontextprotocol/server-postgres",
      "@modelcontextprotocol/server-filesystem-extra",
      "@ModelContextProtocol/server-filesystem",
      "@modelcontextprotocol/server-filesystem@npm:evil-package",
      "@modelcontextprotocol/server-filesystem@github:evil/repo",
      "@modelcontextprotocol/server-filesystem@file:../evil",
      "modelcontextprotocol/server-filesystem",
      "@modelcontextprotocoI/server-filesystem",
    ]) {
      expect(classify("npx", ["-y", spec]).level, spec).toBe(3);
    }
  });

  it("not when a runner option could fetch something else", () => {
    expect(classify("npx", ["--registry=https://evil", ...FILESYSTEM]).level).toBe(3);
    expect(classify("npx", ["-p", "evil", ...FILESYSTEM]).level).toBe(3);
    expect(classify("node", ["npx", ...FILESYSTEM]).level).toBe(3);
  });

  it("not when an explicit variable redirects the runner", () => {
    for (const name of [
      "NPM_CONFIG_REGISTRY",
      "npm_config_registry",
      "HOME",
      "NODE_EXTRA_CA_CERTS",
      "YARN_NPM_REGISTRY_SERVER",
    ]) {
      const result = classify("npx", FILESYSTEM, { envNames: [name] });
      expect(result.level, name).toBe(3);
      expect(result.reasons[0]).toContain(name);
    }
    expect(classify("npx", FILESYSTEM, { envNames: ["MEMORY_FILE_PATH", "NODE_ENV"] }).level).toBe(
      1,
    );
  });

  it("not when the project sets a registry or holds its own copy (a repo cannot trust itself)", () => {
    writeFileSync(join(proj, ".npmrc"), "@modelcontextprotocol:registry=https://evil.example/\n");
    expect(classify("npx", FILESYSTEM).level).toBe(3);
    rmSync(join(proj, ".npmrc"));
    writeFileSync(join(proj, ".npmrc"), "save-exact=true\n");
    expect(classify("npx", FILESYSTEM).level).toBe(1);
    mkdirSync(join(proj, "node_modules", "@modelcontextprotocol", "server-filesystem"), {
      recursive: true,
    });
    const result = classify("npx", FILESYSTEM);
    expect(result.level).toBe(3);
    expect(result.reasons[0]).toContain("local copy");
  });

  it("not when the runner is not found", () => {
    expect(classify("npx", FILESYSTEM, { pathValue: join(root, "empty") }).level).toBe(3);
  });
});

describe("classifyServer: level 2 (project)", () => {
  it("an executable inside the project named by path", () => {
    const srv = program(join(dir(join(proj, "bin")), "srv"));
    const result = classify("./bin/srv");
    expect(result).toEqual({
      level: 2,
      reasons: [expect.stringMatching(/^trust\.project: /)],
      executable: srv,
      script: null,
      modules: [],
      envFiles: [],
    });
  });

  it("a script inside the project given to an interpreter", () => {
    writeFileSync(join(proj, "server.js"), "");
    const result = classify("node", ["--enable-source-maps", "server.js"]);
    expect(result.level).toBe(2);
    expect(result.script).toBe(join(proj, "server.js"));
    expect(result.executable).toBe(join(bin, "node"));
  });

  it("through a symlinked project directory", () => {
    program(join(proj, "srv"));
    const alias = join(root, "alias");
    symlinkSync(proj, alias);
    expect(classify("./srv", [], { projectDir: alias, cwd: alias }).level).toBe(2);
  });

  it("not /proj-evil next to /proj", () => {
    const evil = dir(join(root, "proj-evil"));
    program(join(evil, "srv"));
    writeFileSync(join(evil, "s.js"), "");
    expect(classify(join(evil, "srv")).level).toBe(3);
    expect(classify("node", [join(evil, "s.js")]).level).toBe(3);
    expect(classify("../proj-evil/srv").level).toBe(3);
  });

  it("not a project executable found on PATH instead of named by path", () => {
    const projBin = dir(join(proj, "bin"));
    program(join(projBin, "srv"));
    const result = classify("srv", [], { pathValue: projBin });
    expect(result.level).toBe(3);
    expect(result.reasons[0]).toContain("found on PATH");
  });

  it("not a project file owned by root when the user is someone else", () => {
    // Tests run as root; pretend to be uid 1000 so the root-owned files are not "yours".
    program(join(proj, "srv"));
    writeFileSync(join(proj, "s.js"), "");
    expect(classify("./srv").level).toBe(2);
    vi.spyOn(process, "getuid").mockReturnValue(1000);
    expect(classify("./srv").level).toBe(3);
    expect(classify("node", ["s.js"]).level).toBe(3);
  });

  it("a project-config server the user approved", () => {
    expect(classify("some-server", [], { configApproved: true }).level).toBe(2);
    expect(classify("some-server", [], { configApproved: false }).level).toBe(3);
  });

  it("not a script that does not exist (noted, not hidden)", () => {
    const result = classify("node", ["missing.js"]);
    expect(result.level).toBe(3);
    expect(rulesOf(result.reasons)).toContain("file.not-found");
  });
});

describe("classifyServer: modules the interpreter preloads", () => {
  it("level 4 for a module in /tmp, preloaded before a project script", () => {
    writeFileSync(join(proj, "server.js"), "");
    const planted = join(dir(join(root, "tmp"), 0o1777), "evil.js");
    writeFileSync(planted, "");
    for (const args of [
      ["-r", planted, "server.js"],
      [`-r${planted}`, "server.js"],
      [`--require=${planted}`, "server.js"],
      ["--import", `file://${planted}`, "server.js"],
      ["--loader", planted, "server.js"],
    ]) {
      const result = classify("node", args);
      expect(result.level, args.join(" ")).toBe(4);
      expect(rulesOf(result.reasons)).toContain("file.world-writable-dir");
      expect(result.modules).toEqual([planted]);
    }
  });

  it("level 3 for a module outside the project, level 2 when every module is inside", () => {
    writeFileSync(join(proj, "server.js"), "");
    writeFileSync(join(proj, "setup.js"), "");
    const outside = join(dir(join(root, "elsewhere")), "setup.js");
    writeFileSync(outside, "");
    const third = classify("node", ["-r", outside, "server.js"]);
    expect(third.level).toBe(3);
    expect(third.modules).toEqual([outside]);
    const inside = classify("node", ["-r", "./setup.js", "--import=./setup.js", "server.js"]);
    expect(inside.level).toBe(2);
    expect(inside.modules).toEqual([join(proj, "setup.js"), join(proj, "setup.js")]);
  });

  it("leaves packages named without a path to the lockfile, like the script's imports", () => {
    writeFileSync(join(proj, "server.js"), "");
    const result = classify("node", ["-r", "dotenv/config", "--import", "tsx", "server.js"]);
    expect(result.level).toBe(2);
    expect(result.modules).toEqual([]);
  });
});

describe("classifyServer: level 3 (third-party)", () => {
  it("an unknown package, a command on PATH, a script outside the project", () => {
    expect(classify("npx", ["-y", "mcp-server-anything"]).level).toBe(3);
    expect(classify("some-server").level).toBe(3);
    const elsewhere = dir(join(root, "elsewhere"));
    writeFileSync(join(elsewhere, "s.js"), "");
    expect(classify("node", [join(elsewhere, "s.js")]).level).toBe(3);
  });
});

describe("decideTrust", () => {
  it("denies level 4 with every reason, asks at level 3 unless approved, allows 1 and 2", () => {
    const srv = program(join(dir(join(root, "tmp"), 0o777), "srv"));
    const untrusted = decideTrust(classify(srv));
    expect(untrusted).toMatchObject({ action: "deny", rule: "trust.untrusted" });
    expect(untrusted.reason).toContain("file.world-writable-dir");
    expect(decideTrust(classify("some-server"))).toMatchObject({
      action: "ask",
      rule: "trust.third-party",
    });
    expect(decideTrust(classify("some-server"), true)).toMatchObject({ action: "allow" });
    expect(decideTrust(classify("npx", FILESYSTEM))).toMatchObject({
      action: "allow",
      rule: "trust.built-in",
    });
    expect(decideTrust(classify("some-server", [], { configApproved: true }))).toMatchObject({
      action: "allow",
      rule: "trust.project",
    });
  });
});
