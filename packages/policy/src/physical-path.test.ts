import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { physicalPath } from "./physical-path.js";

let root: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-phys-")));
  mkdirSync(join(root, "proj", "src"), { recursive: true });
  mkdirSync(join(root, "outside", "a", "b"), { recursive: true });
  writeFileSync(join(root, "proj", "src", "f"), "");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("physicalPath", () => {
  it("follows symlinks before applying .. (kernel order)", () => {
    symlinkSync(join(root, "outside", "a", "b"), join(root, "proj", "deep"));
    expect(physicalPath(`${root}/proj/deep/../x`)).toBe(join(root, "outside", "a", "x"));
  });

  it("follows symlinks again once .. leaves a directory that does not exist yet", () => {
    symlinkSync(join(root, "outside"), join(root, "proj", "link"));
    expect(physicalPath(`${root}/proj/new/../link/f`)).toBe(join(root, "outside", "f"));
  });

  it("continues textually below the first missing component", () => {
    expect(physicalPath(`${root}/proj/new/dir/../file`)).toBe(join(root, "proj", "new", "file"));
  });

  it("follows relative and dangling symlinks", () => {
    symlinkSync("../outside/later", join(root, "proj", "dangling"));
    expect(physicalPath(`${root}/proj/dangling`)).toBe(join(root, "outside", "later"));
  });

  it("handles ., // and the root itself", () => {
    expect(physicalPath(`${root}//proj/./src/f`)).toBe(join(root, "proj", "src", "f"));
    expect(physicalPath("/")).toBe("/");
    expect(physicalPath("/..")).toBe("/");
  });

  it("gives up on a symlink loop", () => {
    symlinkSync("b", join(root, "proj", "a"));
    symlinkSync("a", join(root, "proj", "b"));
    expect(physicalPath(`${root}/proj/a/x`)).toBeNull();
  });
});
