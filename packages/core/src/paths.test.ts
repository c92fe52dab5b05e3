import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { configRoot, daemonPaths, runtimeRoot, stateRoot } from "./paths.js";

const uid = process.getuid?.() ?? "user";

describe("runtimeRoot", () => {
  it("ignores a relative XDG_RUNTIME_DIR, which would land in the project directory", () => {
    expect(runtimeRoot({ XDG_RUNTIME_DIR: "run" })).toBe(join(tmpdir(), `mcpward-${uid}`));
  });

  it("treats empty variables as unset", () => {
    expect(runtimeRoot({ MCPWARD_RUNTIME_DIR: "", XDG_RUNTIME_DIR: "" })).toBe(
      join(tmpdir(), `mcpward-${uid}`),
    );
  });

  it("makes a relative MCPWARD_RUNTIME_DIR absolute", () => {
    expect(runtimeRoot({ MCPWARD_RUNTIME_DIR: "rt" })).toBe(resolve("rt"));
  });

  it("prefers MCPWARD_RUNTIME_DIR over XDG_RUNTIME_DIR", () => {
    expect(runtimeRoot({ MCPWARD_RUNTIME_DIR: "/m", XDG_RUNTIME_DIR: "/run/user/1" })).toBe("/m");
  });

  it("uses $XDG_RUNTIME_DIR/mcpward next", () => {
    expect(runtimeRoot({ XDG_RUNTIME_DIR: "/run/user/1" })).toBe("/run/user/1/mcpward");
  });

  it("falls back to <tmpdir>/mcpward-<uid>", () => {
    expect(runtimeRoot({})).toBe(join(tmpdir(), `mcpward-${uid}`));
  });

  it("ignores ambient XDG variables when given an env", () => {
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = "/run/user/ambient";
    try {
      expect(runtimeRoot({})).toBe(join(tmpdir(), `mcpward-${uid}`));
      expect(runtimeRoot()).toBe("/run/user/ambient/mcpward");
    } finally {
      if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = saved;
    }
  });
});

describe("stateRoot", () => {
  it("ignores a relative XDG_STATE_HOME and an empty MCPWARD_STATE_DIR", () => {
    expect(stateRoot({ MCPWARD_STATE_DIR: "", XDG_STATE_HOME: "state" })).toBe(
      join(homedir(), ".local", "state", "mcpward"),
    );
  });

  it("prefers MCPWARD_STATE_DIR, then $XDG_STATE_HOME/mcpward, then ~/.local/state/mcpward", () => {
    expect(stateRoot({ MCPWARD_STATE_DIR: "/s", XDG_STATE_HOME: "/x" })).toBe("/s");
    expect(stateRoot({ XDG_STATE_HOME: "/x" })).toBe("/x/mcpward");
    expect(stateRoot({})).toBe(join(homedir(), ".local", "state", "mcpward"));
  });

  it("makes a relative MCPWARD_STATE_DIR absolute", () => {
    expect(stateRoot({ MCPWARD_STATE_DIR: "st" })).toBe(resolve("st"));
  });
});

describe("configRoot", () => {
  it("ignores a relative XDG_CONFIG_HOME and an empty MCPWARD_CONFIG_DIR", () => {
    expect(configRoot({ MCPWARD_CONFIG_DIR: "", XDG_CONFIG_HOME: ".config" })).toBe(
      join(homedir(), ".config", "mcpward"),
    );
  });

  it("prefers MCPWARD_CONFIG_DIR, then $XDG_CONFIG_HOME/mcpward, then ~/.config/mcpward", () => {
    expect(configRoot({ MCPWARD_CONFIG_DIR: "/c", XDG_CONFIG_HOME: "/x" })).toBe("/c");
    expect(configRoot({ XDG_CONFIG_HOME: "/x" })).toBe("/x/mcpward");
    expect(configRoot({})).toBe(join(homedir(), ".config", "mcpward"));
  });

  it("makes a relative MCPWARD_CONFIG_DIR absolute", () => {
    expect(configRoot({ MCPWARD_CONFIG_DIR: "cfg" })).toBe(resolve("cfg"));
  });
});

describe("daemonPaths", () => {
  it("puts socket, metadata and lock under <root>/<projectId>", () => {
    expect(daemonPaths("/rt", "p1", "d1")).toEqual({
      projectDir: "/rt/p1",
      socket: "/rt/p1/d1.sock",
      meta: "/rt/p1/d1.json",
      lock: "/rt/p1/d1.lock",
    });
  });

  it("keeps a default-layout socket path under the AF_UNIX limit", () => {
    const socket = daemonPaths(runtimeRoot({}), "0".repeat(16), "0".repeat(24)).socket;
    expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(103);
  });
});
