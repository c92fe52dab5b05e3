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
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveExecutable } from "./executable.js";

let root: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-exe-")));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function dir(name: string, mode = 0o755): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  return path;
}

function program(path: string, mode = 0o755): string {
  writeFileSync(path, "#!/bin/sh\nexit 0\n");
  chmodSync(path, mode);
  return path;
}

function rules(command: string, options: { cwd?: string; path?: string | undefined }): string[] {
  return resolveExecutable(command, { cwd: options.cwd ?? root, path: options.path }).problems.map(
    (problem) => problem.rule,
  );
}

describe("resolveExecutable: attacks", () => {
  it("flags an executable in a world-writable directory", () => {
    const srv = program(join(dir("ww", 0o777), "srv"));
    expect(rules(srv, {})).toEqual(["file.world-writable-dir"]);
  });

  it("flags an executable in a sticky world-writable directory like /tmp", () => {
    const srv = program(join(dir("sticky", 0o1777), "srv"));
    const result = resolveExecutable(srv, { cwd: root, path: undefined });
    expect(result.problems.map((p) => p.rule)).toEqual(["file.world-writable-dir"]);
    expect(result.problems[0]!.detail).toContain("sticky");
    expect(result.problems[0]!.severity).toBe("untrusted");
  });

  it("flags an executable owned by another user", () => {
    const srv = program(join(dir("bin"), "srv"));
    chownSync(srv, 65534, 65534);
    expect(rules(srv, {})).toEqual(["file.foreign-owner"]);
  });

  it("flags group- and world-writable executables", () => {
    const group = program(join(dir("bin"), "group"), 0o775);
    const world = program(join(dir("bin"), "world"), 0o757);
    expect(rules(group, {})).toEqual(["file.writable-by-others"]);
    expect(resolveExecutable(world, { cwd: root, path: undefined }).problems[0]!.detail).toContain(
      "every user",
    );
  });

  it("follows a symlink in the project to its real place in a world-writable directory", () => {
    const real = program(join(dir("ww", 0o777), "srv"));
    symlinkSync(real, join(dir("proj/bin"), "srv"));
    const result = resolveExecutable("./bin/srv", { cwd: join(root, "proj"), path: undefined });
    expect(result.executable).toBe(real);
    expect(result.via).toBe("explicit-path");
    expect(result.problems.map((p) => p.rule)).toEqual(["file.world-writable-dir"]);
  });

  it("flags a directory further up that anyone can rename entries in", () => {
    dir("open", 0o777);
    const srv = program(join(dir("open/bin"), "srv"));
    expect(rules(srv, {})).toEqual(["file.world-writable-ancestor"]);
    chmodSync(join(root, "open"), 0o1777);
    expect(rules(srv, {})).toEqual([]);
  });

  for (const entry of ["bin", ".", ""]) {
    it(`flags a command found through the relative PATH entry ${JSON.stringify(entry)}`, () => {
      program(join(dir("bin"), "srv"));
      const cwd = entry === "bin" ? root : join(root, "bin");
      const result = resolveExecutable("srv", { cwd, path: `${entry}:/usr/bin` });
      expect(result.pathEntry).toBe(entry);
      expect(result.executable).toBe(join(root, "bin", "srv"));
      expect(result.problems.map((p) => p.rule)).toEqual(["path.relative-entry"]);
    });
  }

  it("flags a command found through a world-writable PATH entry", () => {
    const real = program(join(dir("safe"), "srv"));
    const ww = dir("wwbin", 0o777);
    symlinkSync(real, join(ww, "srv"));
    const result = resolveExecutable("srv", { cwd: root, path: ww });
    expect(result.executable).toBe(real);
    expect(result.pathEntry).toBe(ww);
    expect(result.problems.map((p) => p.rule)).toEqual(["path.world-writable-entry"]);
  });
});

describe("resolveExecutable: lookup", () => {
  it("searches PATH in order, skipping non-executable files and directories like execvp", () => {
    program(join(dir("a"), "srv"), 0o644);
    mkdirSync(join(dir("b"), "srv"));
    const good = program(join(dir("c"), "srv"));
    program(join(dir("d"), "srv"));
    const path = ["a", "b", "c", "d"].map((name) => join(root, name)).join(":");
    const result = resolveExecutable("srv", { cwd: "/", path });
    expect(result).toEqual({
      executable: good,
      via: "path-lookup",
      pathEntry: join(root, "c"),
      problems: [],
    });
  });

  it("resolves symlinks to the real file", () => {
    const real = program(join(dir("real"), "srv-1.0"));
    symlinkSync(real, join(dir("bin"), "srv"));
    expect(resolveExecutable("srv", { cwd: "/", path: join(root, "bin") }).executable).toBe(real);
  });

  it("reports a command that is not on PATH", () => {
    const result = resolveExecutable("no-such-srv", { cwd: root, path: join(root, "missing") });
    expect(result.executable).toBeNull();
    expect(result.problems).toEqual([
      expect.objectContaining({ rule: "file.not-found", severity: "unusable" }),
    ]);
  });

  it("reports a command found only without execute permission", () => {
    program(join(dir("bin"), "srv"), 0o644);
    const result = resolveExecutable("srv", { cwd: root, path: join(root, "bin") });
    expect(result.executable).toBeNull();
    expect(result.problems.map((p) => p.rule)).toEqual(["file.not-executable"]);
  });

  it("resolves a relative path against cwd without searching PATH", () => {
    const srv = program(join(dir("proj/bin"), "srv"));
    program(join(dir("onpath/bin"), "srv"));
    const result = resolveExecutable("bin/srv", {
      cwd: join(root, "proj"),
      path: join(root, "onpath/bin"),
    });
    expect(result).toEqual({
      executable: srv,
      via: "explicit-path",
      pathEntry: null,
      problems: [],
    });
  });

  it("reports an explicit path that is a directory or not executable", () => {
    dir("adir");
    const plain = program(join(dir("bin"), "plain"), 0o644);
    expect(rules(join(root, "adir"), {})).toEqual(["file.not-regular"]);
    expect(rules(plain, {})).toEqual(["file.not-executable"]);
  });

  it("uses execvp's default search path when PATH is unset", () => {
    expect(resolveExecutable("sh", { cwd: root, path: undefined }).executable).toMatch(
      /^\/(?:usr\/)?bin\//,
    );
  });

  it("reports an empty command", () => {
    expect(rules("", {})).toEqual(["file.not-found"]);
  });
});
