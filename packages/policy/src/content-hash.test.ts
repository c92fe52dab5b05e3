import { mkdtempSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpwardError } from "@mcpward/core";
import { beforeEach, describe, expect, it } from "vitest";
import { hashExecutable } from "./content-hash.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mcpward-hash-"));
});

async function failure(paths: string[]): Promise<McpwardError> {
  try {
    await hashExecutable(paths);
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("hashExecutable: attacks", () => {
  it("changes when the script an interpreter runs changes, even with the same size and mtime", async () => {
    const node = process.execPath;
    const script = join(dir, "server.js");
    writeFileSync(script, "console.log('good')");
    const { atime, mtime } = statSync(script);
    const before = await hashExecutable([node, script]);
    writeFileSync(script, "console.log('evil')");
    utimesSync(script, atime, mtime);
    expect(await hashExecutable([node, script])).not.toBe(before);
  });

  it("refuses something that is not a regular file (a device would never end)", async () => {
    const error = await failure(["/dev/zero"]);
    expect(error.code).toBe("SERVER_START_FAILED");
    expect(error.message).toContain("cannot hash /dev/zero (not a regular file)");
    expect((await failure([join(dir, "missing")])).message).toContain("ENOENT");
  });

  it("hashes what a symlink points to, so swapping the target asks again", async () => {
    writeFileSync(join(dir, "a"), "A");
    writeFileSync(join(dir, "b"), "B");
    symlinkSync(join(dir, "a"), join(dir, "link"));
    expect(await hashExecutable([join(dir, "link")])).toBe(await hashExecutable([join(dir, "a")]));
    expect(await hashExecutable([join(dir, "link")])).not.toBe(
      await hashExecutable([join(dir, "b")]),
    );
  });
});

describe("hashExecutable", () => {
  it("returns sha256:<hex>, stable for the same files and sensitive to order", async () => {
    writeFileSync(join(dir, "a"), "A");
    writeFileSync(join(dir, "b"), "B");
    const ab = await hashExecutable([join(dir, "a"), join(dir, "b")]);
    expect(ab).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await hashExecutable([join(dir, "a"), join(dir, "b")])).toBe(ab);
    expect(await hashExecutable([join(dir, "b"), join(dir, "a")])).not.toBe(ab);
  });
});
