import { McpwardError } from "@mcpward/core";
import { describe, expect, it } from "vitest";
import { serverEnvironment } from "./server-environment.js";

const caller = {
  HOME: "/home/u",
  USER: "u",
  LOGNAME: "u",
  PATH: "/usr/bin",
  SHELL: "/bin/bash",
  TERM: "xterm",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TMPDIR: "/tmp",
  TZ: "UTC",
  LD_PRELOAD: "/x.so",
  ld_preload: "/y.so",
  NODE_OPTIONS: "--require /x.js",
  MCPWARD_RUNTIME_DIR: "/run/m",
  mcpward_secret: "s",
  GITHUB_TOKEN: "ghp_x",
  AWS_SECRET_ACCESS_KEY: "k",
  EDITOR: "vi",
  UNSET: undefined,
};

function denial(run: () => unknown): McpwardError {
  try {
    run();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a POLICY_DENIED error");
}

describe("serverEnvironment: attacks", () => {
  it("refuses explicit LD_PRELOAD and lowercase variants at every level", () => {
    for (const level of [1, 2, 3] as const) {
      for (const name of ["LD_PRELOAD", "ld_preload"]) {
        const error = denial(() => serverEnvironment(level, caller, { [name]: "/x.so" }));
        expect(error.code).toBe("POLICY_DENIED");
        expect(error.message).toContain(name);
        expect(error.message).toContain("env.blocked");
        expect(error.message).not.toContain("/x.so");
      }
    }
  });

  it("refuses an explicit PATH (PATH=/tmp/evil:$PATH)", () => {
    const error = denial(() => serverEnvironment(1, caller, { PATH: "/tmp/evil:/usr/bin" }));
    expect(error.message).toContain("PATH");
    expect(error.message).not.toContain("/tmp/evil");
  });

  it("refuses a blocked or internal name in envPassthrough", () => {
    expect(denial(() => serverEnvironment(3, caller, {}, ["LD_PRELOAD"])).message).toContain(
      "envPassthrough",
    );
    expect(denial(() => serverEnvironment(3, caller, {}, ["NODE_OPTIONS"])).code).toBe(
      "POLICY_DENIED",
    );
    expect(denial(() => serverEnvironment(3, caller, {}, ["MCPWARD_RUNTIME_DIR"])).code).toBe(
      "POLICY_DENIED",
    );
  });

  it("never starts a level-4 server", () => {
    expect(denial(() => serverEnvironment(4, caller, {})).code).toBe("POLICY_DENIED");
  });

  it("drops inherited blocked and internal variables for levels 1 and 2", () => {
    for (const level of [1, 2] as const) {
      const env = serverEnvironment(level, caller, {});
      for (const name of [
        "LD_PRELOAD",
        "ld_preload",
        "NODE_OPTIONS",
        "MCPWARD_RUNTIME_DIR",
        "mcpward_secret",
      ]) {
        expect(Object.hasOwn(env, name), name).toBe(false);
      }
    }
  });
});

describe("serverEnvironment: by level", () => {
  it("levels 1 and 2 inherit the rest of the caller's environment, including its PATH", () => {
    const env = serverEnvironment(2, caller, { API_URL: "https://x" });
    expect(env.PATH).toBe("/usr/bin");
    expect(env.GITHUB_TOKEN).toBe("ghp_x");
    expect(env.EDITOR).toBe("vi");
    expect(env.API_URL).toBe("https://x");
    expect(Object.hasOwn(env, "UNSET")).toBe(false);
  });

  it("level 3 gets only the minimal set, explicit variables and passthrough names", () => {
    const env = serverEnvironment(3, caller, { API_URL: "https://x" }, ["GITHUB_TOKEN", "NOT_SET"]);
    expect({ ...env }).toEqual({
      HOME: "/home/u",
      USER: "u",
      LOGNAME: "u",
      PATH: "/usr/bin",
      SHELL: "/bin/bash",
      TERM: "xterm",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TMPDIR: "/tmp",
      TZ: "UTC",
      GITHUB_TOKEN: "ghp_x",
      API_URL: "https://x",
    });
  });

  it("lets explicit variables override inherited ones", () => {
    expect(serverEnvironment(3, caller, { HOME: "/srv/home" }).HOME).toBe("/srv/home");
  });

  it("returns a null-prototype object, so a variable named __proto__ is just a name", () => {
    const inherited = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<
      string,
      string
    >;
    const env = serverEnvironment(1, inherited, {});
    expect(Object.getPrototypeOf(env)).toBeNull();
    expect(Object.hasOwn(env, "__proto__")).toBe(true);
    expect(env.constructor).toBe("y");
  });
});
