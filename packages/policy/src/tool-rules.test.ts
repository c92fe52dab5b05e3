import { describe, expect, it } from "vitest";
import type { ToolCallContext, TrustLevel } from "./policy.js";
import { checkToolCall, type ToolRules } from "./tool-rules.js";

function call(
  name: string,
  level: TrustLevel = 1,
  annotations?: Record<string, unknown>,
): ToolCallContext {
  return {
    server: {
      command: "srv",
      executable: "/usr/bin/srv",
      args: [],
      envNames: [],
      name: null,
      trustLevel: level,
    },
    projectDir: "/proj",
    tool: { name, annotations },
    arguments: {},
  };
}

function outcome(context: ToolCallContext, rules: ToolRules): string[] {
  return checkToolCall(context, rules).map((d) => `${d.action} ${d.rule}`);
}

const READ_ONLY = { readOnlyHint: true };

describe("checkToolCall: attacks", () => {
  it("treats __proto__, constructor and toString as plain names", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      expect(outcome(call(name), {}), name).toEqual([]);
      expect(outcome(call(name), { deny: [name] }), name).toEqual(["deny tool.deny"]);
      expect(outcome(call(name), { deny: ["delete_file"], allow: ["read_file"] }), name).toEqual(
        [],
      );
    }
  });

  it("reads rules parsed from JSON with __proto__ keys as data", () => {
    const rules = JSON.parse('{"deny": ["__proto__"], "__proto__": {"deny": ["*"]}}') as ToolRules;
    expect(outcome(call("__proto__"), rules)).toEqual(["deny tool.deny"]);
    expect(outcome(call("read_file"), rules)).toEqual([]);
  });

  it("does not slip a case variant, spaces, separators or invisible characters through a deny", () => {
    const variants = [
      "delete_file",
      "Delete_File",
      "DELETE_FILE",
      "delete_file ",
      " delete_file\t",
      "delete-file",
      "deleteFile",
      "delete file",
      "delete\u200bfile",
      "ｄｅｌｅｔｅ_ｆｉｌｅ",
      "délete_file",
      "DELETE_FİLE",
    ];
    for (const name of variants) {
      expect(outcome(call(name), { deny: ["delete_file"] }), JSON.stringify(name)).toEqual([
        "deny tool.deny",
      ]);
    }
  });

  it("matches deny globs loosely too", () => {
    expect(outcome(call("Delete_All "), { deny: ["delete_*"] })).toEqual(["deny tool.deny"]);
    expect(outcome(call("drop-table"), { deny: ["DROP_?ABLE"] })).toEqual(["deny tool.deny"]);
    expect(outcome(call("read_file"), { deny: ["delete_*"] })).toEqual([]);
  });

  it("does not let a case variant or trailing space borrow an exact allow", () => {
    const rules = { allow: ["read_file"] };
    expect(outcome(call("read_file", 3), rules)).toEqual(["allow tool.allow"]);
    for (const name of ["Read_File", "read_file ", "read-file", "readFile"]) {
      expect(outcome(call(name, 3), rules), name).toEqual(["ask approval.on-request"]);
    }
  });

  it("does not believe readOnlyHint from a level-3 server", () => {
    const decisions = checkToolCall(call("read", 3, READ_ONLY), {});
    expect(decisions.map((d) => d.rule)).toEqual(["approval.on-request"]);
    expect(decisions[0]!.reason).toContain("not believed");
  });

  it("ignores an inherited readOnlyHint (prototype pollution)", () => {
    const polluted = Object.create(READ_ONLY) as Record<string, unknown>;
    // Level 3 asks regardless; the reason must not claim the hint was given.
    expect(checkToolCall(call("read", 3, polluted), {})[0]!.reason).toContain(
      "does not say it is read-only",
    );
  });

  it("lets deny beat allow and ask", () => {
    const rules = { allow: ["rm"], ask: ["rm"], deny: ["rm"] };
    expect(outcome(call("rm", 3), rules)).toEqual(["deny tool.deny"]);
    expect(outcome(call("rm", 1), { ...rules, approval: "never" })).toEqual(["deny tool.deny"]);
  });
});

describe("checkToolCall: approval modes", () => {
  it("on-request: asks for a level-3 tool, unannotated or not", () => {
    expect(outcome(call("write", 3), {})).toEqual(["ask approval.on-request"]);
    expect(outcome(call("write", 3, { destructiveHint: true }), {})).toEqual([
      "ask approval.on-request",
    ]);
  });

  it("on-request: does not ask for level 1 and 2 tools, annotated or not", () => {
    expect(outcome(call("write", 1), {})).toEqual([]);
    expect(outcome(call("write", 2, { destructiveHint: true }), {})).toEqual([]);
    expect(outcome(call("read", 2, READ_ONLY), {})).toEqual([]);
  });

  it("on-request: asks for ask-listed tools at any level", () => {
    expect(outcome(call("Deploy_Prod", 1, READ_ONLY), { ask: ["deploy_*"] })).toEqual([
      "ask tool.ask",
    ]);
  });

  it("never: nobody is prompted; the gate adds no ask and an ask-listed tool is refused", () => {
    expect(outcome(call("write", 3), { approval: "never" })).toEqual([]);
    expect(outcome(call("deploy", 3), { approval: "never", ask: ["deploy"] })).toEqual([
      "deny approval.never",
    ]);
    expect(outcome(call("rm", 3), { approval: "never", deny: ["rm"] })).toEqual(["deny tool.deny"]);
  });

  it("always: asks for every call, even read-only tools of level-1 servers and allowed ones", () => {
    expect(outcome(call("read", 1, READ_ONLY), { approval: "always" })).toEqual([
      "ask approval.always",
    ]);
    expect(outcome(call("read", 3), { approval: "always", allow: ["read"] })).toEqual([
      "ask approval.always",
    ]);
  });

  it("allow globs match exactly, with * and ?", () => {
    expect(outcome(call("read_file", 3), { allow: ["read_*"] })).toEqual(["allow tool.allow"]);
    expect(outcome(call("READ_file", 3), { allow: ["read_*"] })).toEqual([
      "ask approval.on-request",
    ]);
    expect(outcome(call("get_a", 3), { allow: ["get_?"] })).toEqual(["allow tool.allow"]);
  });

  it("names the tool and the pattern in reasons", () => {
    const [decision] = checkToolCall(call("Delete_File"), { deny: ["delete_*"] });
    expect(decision!.reason).toContain('"Delete_File"');
    expect(decision!.reason).toContain('"delete_*"');
  });
});
