import { describe, expect, it } from "vitest";
import { substituteStdinJson } from "./stdin-json.js";

const read = async () => '{"a":1}';

describe("substituteStdinJson", () => {
  it("replaces --json - and --json=- with standard input", async () => {
    expect(await substituteStdinJson(["--x", "1", "--json", "-"], read)).toEqual([
      "--x",
      "1",
      "--json",
      '{"a":1}',
    ]);
    expect(await substituteStdinJson(["--json=-"], read)).toEqual(['--json={"a":1}']);
  });

  it("leaves other tokens alone and reads nothing", async () => {
    const never = async (): Promise<string> => {
      throw new Error("read stdin");
    };
    expect(await substituteStdinJson(["--text", "-", "--json", "{}"], never)).toEqual([
      "--text",
      "-",
      "--json",
      "{}",
    ]);
  });
});
