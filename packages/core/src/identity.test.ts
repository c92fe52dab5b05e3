import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  computeDaemonId,
  computeProjectId,
  isPathLikeCommand,
  normaliseCommand,
  requestedProfile,
} from "./identity.js";

interface Vectors {
  daemonIds: {
    name: string;
    spec: { command: string; args: string[]; env: Record<string, string>; name?: string };
    cwd: string;
    daemonId: string;
  }[];
  projectIds: { dir: string; projectId: string }[];
}

const vectors = JSON.parse(
  readFileSync(new URL("./identity.vectors.json", import.meta.url), "utf8"),
) as Vectors;

const spec = (
  command: string,
  args: string[] = [],
  env: Record<string, string> = {},
): { command: string; args: string[]; env: Record<string, string> } => ({ command, args, env });

let tempDirs: string[] = [];
function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-identity-")));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs = [];
});

describe("pinned test vectors", () => {
  it("has enough vectors to pin the scheme", () => {
    expect(vectors.daemonIds.length).toBeGreaterThanOrEqual(8);
    expect(vectors.projectIds.length).toBeGreaterThanOrEqual(1);
  });

  it.each(vectors.daemonIds)("daemon id of $name is unchanged", ({ spec, cwd, daemonId }) => {
    expect(computeDaemonId(spec, cwd)).toBe(daemonId);
  });

  it.each(vectors.projectIds)("project id of $dir is unchanged", ({ dir, projectId }) => {
    expect(computeProjectId(dir)).toBe(projectId);
  });
});

describe("computeDaemonId", () => {
  it("cannot be confused by arguments that concatenate or split the same way", () => {
    const ids = [
      computeDaemonId(spec("node", ["a b"]), "/p"),
      computeDaemonId(spec("node", ["a", "b"]), "/p"),
      computeDaemonId(spec("node", ["ab"]), "/p"),
      computeDaemonId(spec("node a", ["b"]), "/p"),
      computeDaemonId(spec("node", ["a", "b", ""]), "/p"),
      computeDaemonId(spec("node", ["A=1"]), "/p"),
      computeDaemonId(spec("node", [], { A: "1" }), "/p"),
      computeDaemonId(spec("node", [], { A: "1", B: "" }), "/p"),
      computeDaemonId(spec("node", [], { "A=1": "" }), "/p"),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("hashes a config server's name only when there is one", () => {
    const plain = spec("node", ["server.js"]);
    expect(computeDaemonId({ ...plain, name: undefined }, "/a")).toBe(computeDaemonId(plain, "/a"));
    expect(computeDaemonId({ ...plain, name: "echo" }, "/a")).not.toBe(
      computeDaemonId(plain, "/a"),
    );
    expect(computeDaemonId({ ...plain, name: "a" }, "/a")).not.toBe(
      computeDaemonId({ ...plain, name: "b" }, "/a"),
    );
  });

  it("hashes a chosen profile only when there is one, apart from the name", () => {
    const plain = spec("node", ["server.js"]);
    const id = (extra: { name?: string; profile?: string }): string =>
      computeDaemonId({ ...plain, ...extra }, "/a");
    expect(computeDaemonId({ ...plain, profile: undefined }, "/a")).toBe(id({}));
    expect(id({ profile: "ci" })).not.toBe(id({}));
    expect(id({ profile: "ci" })).not.toBe(id({ profile: "dev" }));
    expect(id({ name: "echo", profile: "ci" })).not.toBe(id({ name: "echo" }));
    // A name and a profile of the same text are different configurations.
    expect(id({ name: "ci" })).not.toBe(id({ profile: "ci" }));
  });

  it("takes --profile first, then a non-empty MCPWARD_PROFILE, as config loading does", () => {
    expect(requestedProfile("ci", { MCPWARD_PROFILE: "dev" })).toBe("ci");
    expect(requestedProfile(undefined, { MCPWARD_PROFILE: "dev" })).toBe("dev");
    expect(requestedProfile(undefined, { MCPWARD_PROFILE: "" })).toBeUndefined();
    expect(requestedProfile(undefined, {})).toBeUndefined();
  });

  it("takes an env name of __proto__ into account like any other", () => {
    const env: Record<string, string> = Object.create(null);
    Object.defineProperty(env, "__proto__", { value: "x", enumerable: true });
    expect(Object.keys(env)).toEqual(["__proto__"]);
    expect(computeDaemonId(spec("node", [], env), "/p")).not.toBe(
      computeDaemonId(spec("node"), "/p"),
    );
  });

  it("is lowercase hex, at least 16 characters long", () => {
    expect(computeDaemonId(spec("node"), "/p")).toMatch(/^[0-9a-f]{16,}$/);
  });

  it("depends on the order of the arguments", () => {
    expect(computeDaemonId(spec("node", ["a", "b"]), "/p")).not.toBe(
      computeDaemonId(spec("node", ["b", "a"]), "/p"),
    );
  });

  it("does not depend on the order env variables were given in", () => {
    expect(computeDaemonId(spec("node", [], { A: "1", B: "2" }), "/p")).toBe(
      computeDaemonId(spec("node", [], { B: "2", A: "1" }), "/p"),
    );
  });

  it("depends on env values", () => {
    expect(computeDaemonId(spec("node", [], { A: "1" }), "/p")).not.toBe(
      computeDaemonId(spec("node", [], { A: "2" }), "/p"),
    );
  });

  it("ignores the ambient environment", () => {
    const before = computeDaemonId(spec("node", ["s.js"]), "/p");
    process.env.MCPWARD_IDENTITY_TEST = "changed";
    try {
      expect(computeDaemonId(spec("node", ["s.js"]), "/p")).toBe(before);
    } finally {
      delete process.env.MCPWARD_IDENTITY_TEST;
    }
  });

  it("keeps a bare command name, whatever the directory", () => {
    expect(computeDaemonId(spec("node", ["s.js"]), "/a")).toBe(
      computeDaemonId(spec("node", ["s.js"]), "/b"),
    );
  });

  it("resolves a relative command path against the directory", () => {
    const fromA = computeDaemonId(spec("./server.js"), "/a");
    expect(fromA).not.toBe(computeDaemonId(spec("./server.js"), "/b"));
    expect(fromA).toBe(computeDaemonId(spec("/a/server.js"), "/b"));
    expect(fromA).toBe(computeDaemonId(spec("bin/../server.js"), "/a"));
  });

  it("defaults the directory to the process's current one", () => {
    expect(computeDaemonId(spec("./server.js"))).toBe(
      computeDaemonId(spec("./server.js"), process.cwd()),
    );
  });
});

describe("normaliseCommand and isPathLikeCommand", () => {
  it("treats names with a slash or backslash as paths and others as bare names", () => {
    expect(isPathLikeCommand("node")).toBe(false);
    expect(isPathLikeCommand("@scope-name")).toBe(false);
    expect(isPathLikeCommand("./srv")).toBe(true);
    expect(isPathLikeCommand("bin/srv")).toBe(true);
    expect(isPathLikeCommand("bin\\srv")).toBe(true);
    expect(isPathLikeCommand("/usr/bin/node")).toBe(true);
  });

  it("makes path-like commands absolute and normalised, keeping bare names", () => {
    expect(normaliseCommand("node", "/p")).toBe("node");
    expect(normaliseCommand("./bin/../srv.js", "/p/q")).toBe("/p/q/srv.js");
    expect(normaliseCommand("../srv", "/p/q")).toBe("/p/srv");
    expect(normaliseCommand("/usr//bin/./node", "/p")).toBe("/usr/bin/node");
  });
});

describe("computeProjectId", () => {
  it("throws for a directory that does not exist", () => {
    expect(() => computeProjectId(join(tempDir(), "missing"))).toThrow(/ENOENT/);
  });

  it("gives a symlink to a directory the same id as the directory", () => {
    const root = tempDir();
    const real = join(root, "real");
    mkdirSync(real);
    symlinkSync(real, join(root, "link"), "dir");
    expect(computeProjectId(join(root, "link"))).toBe(computeProjectId(real));
    expect(computeProjectId(`${real}/./`)).toBe(computeProjectId(real));
  });

  it("gives different directories different ids", () => {
    const root = tempDir();
    mkdirSync(join(root, "a"));
    mkdirSync(join(root, "b"));
    expect(computeProjectId(join(root, "a"))).not.toBe(computeProjectId(join(root, "b")));
  });

  it("is lowercase hex, at least 16 characters long", () => {
    expect(computeProjectId(tempDir())).toMatch(/^[0-9a-f]{16,}$/);
  });
});
