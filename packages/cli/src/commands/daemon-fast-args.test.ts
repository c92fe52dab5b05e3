import { describe, expect, it } from "vitest";
import { parseArgv } from "../argv.js";
import { fastDaemonArgs } from "./daemon-fast-args.js";

function fast(args: string[]): ReturnType<typeof fastDaemonArgs> {
  const parsed = parseArgv(args);
  if (parsed.kind !== "command") throw new Error(`not a command: ${parsed.kind}`);
  return fastDaemonArgs(parsed);
}

describe("fastDaemonArgs", () => {
  it("takes the plain forms of daemon status, stop and clean", () => {
    expect(fast(["daemon", "status"])).toEqual({ subcommand: "status", flags: {} });
    expect(fast(["daemon", "stop", "--all"])).toEqual({ subcommand: "stop", flags: { all: true } });
    expect(fast(["--json", "daemon", "clean", "--quiet", "--debug"])).toEqual({
      subcommand: "clean",
      flags: { quiet: true, debug: true },
    });
    expect(fast(["daemon", "status", "--json", "--all", "--", "node", "s.mjs"])).toEqual({
      subcommand: "status",
      flags: { json: true, all: true },
    });
  });

  it.each([
    [["daemon"]],
    [["daemon", "start", "--", "node", "s.mjs"]],
    [["daemon", "logs"]],
    [["daemon", "statu"]],
    [["daemon", "status", "--help"]],
    [["daemon", "status", "-h"]],
    [["--help", "daemon", "status"]],
    [["daemon", "--all", "status"]],
    [["daemon", "status", "--all", "--all"]],
    [["daemon", "status", "--no-all"]],
    [["daemon", "status", "--json=true"]],
    [["daemon", "status", "--bogus"]],
    [["daemon", "status", "-a"]],
    [["daemon", "status", "extra"]],
    [["daemon", "stop", "--follow"]],
    [["audit", "list"]],
    [["completion"]],
  ])("leaves %j to yargs", (args) => {
    expect(fast(args)).toBeUndefined();
  });
});
