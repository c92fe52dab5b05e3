import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { McpwardError } from "./errors.js";
import { ensurePrivateDir } from "./private-dir.js";

function thrown(fn: () => unknown): McpwardError {
  try {
    fn();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an McpwardError, nothing was thrown");
}

const modeOf = (path: string): number => lstatSync(path).mode & 0o777;

let tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcpward-private-"));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs = [];
});

const isRoot = process.getuid?.() === 0;

describe("ensurePrivateDir: refusals", () => {
  it("refuses a symlink to a directory, leaving link and target alone", () => {
    const root = tempDir();
    const target = join(root, "target");
    mkdirSync(target, { mode: 0o755 });
    chmodSync(target, 0o755);
    const link = join(root, "link");
    symlinkSync(target, link, "dir");

    const error = thrown(() => ensurePrivateDir(link));
    expect(error.code).toBe("UNSAFE_PATH");
    expect(error.message).toBe(
      `${link} is a symbolic link; remove it or point MCPWARD_RUNTIME_DIR elsewhere`,
    );
    expect(error.data).toEqual({ path: link });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(modeOf(target)).toBe(0o755);
  });

  it("refuses a dangling symlink instead of creating its target", () => {
    const root = tempDir();
    const link = join(root, "link");
    symlinkSync(join(root, "nowhere"), link);
    expect(thrown(() => ensurePrivateDir(link)).code).toBe("UNSAFE_PATH");
    expect(() => lstatSync(join(root, "nowhere"))).toThrow(/ENOENT/);
  });

  it("refuses a regular file at the path and leaves it untouched", () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "content", { mode: 0o644 });
    chmodSync(file, 0o644);
    const error = thrown(() => ensurePrivateDir(file));
    expect(error.code).toBe("UNSAFE_PATH");
    expect(error.message).toMatch(/is not a directory/);
    expect(readFileSync(file, "utf8")).toBe("content");
    expect(modeOf(file)).toBe(0o644);
  });

  it.skipIf(!isRoot)("refuses a directory owned by another user (as root: uid 65534)", () => {
    const dir = join(tempDir(), "theirs");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    chownSync(dir, 65534, 65534);
    const error = thrown(() => ensurePrivateDir(dir));
    expect(error.code).toBe("UNSAFE_PATH");
    expect(error.message).toMatch(/is owned by uid 65534, not you \(0\); use a directory you own/);
    // Nothing was changed on the way.
    expect(modeOf(dir)).toBe(0o755);
    expect(statSync(dir).uid).toBe(65534);
  });
});

describe("ensurePrivateDir: creating and tightening", () => {
  it("creates a missing directory, and its missing parents, with mode 0700", () => {
    const root = tempDir();
    const dir = join(root, "a", "b", "c");
    ensurePrivateDir(dir);
    expect(lstatSync(dir).isDirectory()).toBe(true);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(root, "a", "b"))).toBe(0o700);
  });

  it("tightens a 0777 directory we own to 0700", () => {
    const dir = join(tempDir(), "open");
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    expect(modeOf(dir)).toBe(0o777);
    ensurePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it("keeps a directory that is already 0700 and its contents as they are", () => {
    const dir = join(tempDir(), "ok");
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, "keep"), "x");
    ensurePrivateDir(dir);
    ensurePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect(readFileSync(join(dir, "keep"), "utf8")).toBe("x");
  });
});
