import { describe, expect, it } from "vitest";
import { BLOCKED_ENV, checkEnv, isBlockedEnvName } from "./env-rules.js";

const LISTED = [
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "LD_AUDIT",
  "DYLD_INSERT_LIBRARIES",
  "NODE_OPTIONS",
  "NODE_PATH",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PERL5OPT",
  "PERL5LIB",
  "RUBYOPT",
  "BASH_ENV",
  "ENV",
  "JAVA_TOOL_OPTIONS",
  "GCONV_PATH",
  "GIT_SSH_COMMAND",
  "PATH",
];

describe("checkEnv: attacks", () => {
  it("denies LD_PRELOAD, naming the variable, the origin and the rule", () => {
    expect(checkEnv(["LD_PRELOAD"], "after --")).toEqual([
      {
        action: "deny",
        reason: expect.stringMatching(
          /^environment variable LD_PRELOAD \(after --\) may not be set/,
        ),
        rule: "env.blocked",
      },
    ]);
  });

  it("denies lowercase and mixed-case variants", () => {
    for (const name of [
      "ld_preload",
      "Ld_Preload",
      "dyld_insert_libraries",
      "node_options",
      "path",
      "Path",
    ]) {
      expect(
        checkEnv([name]).map((d) => d.rule),
        name,
      ).toEqual(["env.blocked"]);
    }
  });

  it("denies PATH given explicitly (PATH=/tmp/evil:$PATH)", () => {
    const [decision] = checkEnv(["PATH"], "after --");
    expect(decision!.action).toBe("deny");
    expect(decision!.reason).toContain("PATH");
  });

  it("denies the whole LD_ and DYLD_ families", () => {
    expect(
      checkEnv(["LD_ANYTHING", "LD_BIND_NOW", "DYLD_FALLBACK_LIBRARY_PATH"]).map((d) => d.rule),
    ).toEqual(["env.blocked", "env.blocked", "env.blocked"]);
  });

  it("denies every variable the issue lists", () => {
    for (const name of LISTED) expect(isBlockedEnvName(name), name).toBe(true);
  });

  it("denies names that are not variable names, such as a whole LD_PRELOAD=/x.so token", () => {
    expect(checkEnv(["LD_PRELOAD=/x.so", "A B", "X\0", ""]).map((d) => d.rule)).toEqual([
      "env.invalid-name",
      "env.invalid-name",
      "env.invalid-name",
      "env.invalid-name",
    ]);
  });

  it("denies mcpward's own variables in any case", () => {
    expect(checkEnv(["MCPWARD_RUNTIME_DIR", "mcpward_x"]).map((d) => d.rule)).toEqual([
      "env.internal",
      "env.internal",
    ]);
  });

  it("never puts a value in the reason (it only ever sees names)", () => {
    const [decision] = checkEnv(["NODE_OPTIONS"]);
    expect(decision!.reason).not.toMatch(/=/);
  });
});

describe("checkEnv: ordinary variables", () => {
  it("allows ordinary names, and names that merely contain a blocked one", () => {
    expect(
      checkEnv(["GITHUB_TOKEN", "OLD_PRELOAD", "MY_PATH", "NODE_ENV", "PATHS", "ENVIRONMENT"]),
    ).toEqual([]);
  });
});

describe("BLOCKED_ENV", () => {
  it("lists families with a * and the single names", () => {
    expect(BLOCKED_ENV).toContain("LD_*");
    expect(BLOCKED_ENV).toContain("DYLD_*");
    for (const name of LISTED.filter((n) => !/^(LD|DYLD)_/.test(n)))
      expect(BLOCKED_ENV).toContain(name);
    expect(Object.isFrozen(BLOCKED_ENV)).toBe(true);
  });
});
