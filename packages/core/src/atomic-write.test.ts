import crypto from "node:crypto";
import fs, {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-write.js";

let tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcpward-atomic-"));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs = [];
});

const modeOf = (path: string): number => lstatSync(path).mode & 0o777;

/**
 * Runs `fn` with `crypto.randomBytes` returning 0xab bytes, so the temp file
 * name is known in advance, and with `fs.renameSync` reporting its arguments
 * (and what the files hold at that moment) before it renames for real. Only
 * the randomness is replaced; every file operation is real.
 */
function withKnownTempName<T>(
  fn: () => T,
  onRename: (from: string, to: string) => void = () => {},
): T {
  const { randomBytes } = crypto;
  const { renameSync } = fs;
  (crypto as { randomBytes: unknown }).randomBytes = (size: number) => Buffer.alloc(size, 0xab);
  (fs as { renameSync: unknown }).renameSync = (from: string, to: string) => {
    onRename(from, to);
    renameSync(from, to);
  };
  syncBuiltinESMExports();
  try {
    return fn();
  } finally {
    (crypto as { randomBytes: unknown }).randomBytes = randomBytes;
    (fs as { renameSync: unknown }).renameSync = renameSync;
    syncBuiltinESMExports();
  }
}

const knownTempPath = (path: string): string => `${path}.${process.pid}.abababababab.tmp`;

describe("writeFileAtomic: hostile surroundings", () => {
  it("refuses to follow a symlink planted at the temp path", () => {
    const dir = tempDir();
    const target = join(dir, "meta.json");
    const victim = join(dir, "victim");
    writeFileSync(target, "old");
    writeFileSync(victim, "victim content");
    symlinkSync(victim, knownTempPath(target));

    expect(() => withKnownTempName(() => writeFileAtomic(target, "new"))).toThrow(/EEXIST/);
    expect(readFileSync(victim, "utf8")).toBe("victim content");
    expect(readFileSync(target, "utf8")).toBe("old");
    // The planted link is not ours to remove.
    expect(readlinkSync(knownTempPath(target))).toBe(victim);
  });

  it("refuses a regular file planted at the temp path instead of reusing it", () => {
    const dir = tempDir();
    const target = join(dir, "meta.json");
    writeFileSync(knownTempPath(target), "planted", { mode: 0o666 });
    expect(() => withKnownTempName(() => writeFileAtomic(target, "new"))).toThrow(/EEXIST/);
    expect(readFileSync(knownTempPath(target), "utf8")).toBe("planted");
    expect(() => lstatSync(target)).toThrow(/ENOENT/);
  });

  it("is not broken by leftover *.tmp files from an interrupted write", () => {
    const dir = tempDir();
    const target = join(dir, "meta.json");
    writeFileSync(target, "old");
    writeFileSync(`${target}.tmp`, "half-written");
    writeFileSync(`${target}.${process.pid}.000000000000.tmp`, "half-written");
    writeFileAtomic(target, "new");
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(readFileSync(`${target}.tmp`, "utf8")).toBe("half-written");
  });

  it("replaces a symlink at the target itself instead of writing through it", () => {
    const dir = tempDir();
    const victim = join(dir, "victim");
    const target = join(dir, "meta.json");
    writeFileSync(victim, "victim content");
    symlinkSync(victim, target);
    writeFileAtomic(target, "new");
    expect(lstatSync(target).isSymbolicLink()).toBe(false);
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(readFileSync(victim, "utf8")).toBe("victim content");
  });

  it("removes its temp file and throws when the rename fails", () => {
    const dir = tempDir();
    const target = join(dir, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "inside"), "x");
    expect(() => writeFileAtomic(target, "new")).toThrow();
    expect(readdirSync(dir)).toEqual(["occupied"]);
  });

  it("throws when the directory does not exist, creating nothing", () => {
    const dir = tempDir();
    expect(() => writeFileAtomic(join(dir, "missing", "f"), "x")).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("writeFileAtomic: writing", () => {
  it("keeps the old content in place until the rename, with the new one complete in the temp file", () => {
    const dir = tempDir();
    const target = join(dir, "meta.json");
    writeFileSync(target, "old content");
    const seen: { from: string; to: string; target: string; temp: string; mode: number }[] = [];
    withKnownTempName(
      () => writeFileAtomic(target, "new content"),
      (from, to) => {
        seen.push({
          from,
          to,
          target: readFileSync(to, "utf8"),
          temp: readFileSync(from, "utf8"),
          mode: modeOf(from),
        });
      },
    );
    expect(seen).toEqual([
      {
        from: knownTempPath(target),
        to: target,
        target: "old content",
        temp: "new content",
        mode: 0o600,
      },
    ]);
    expect(readFileSync(target, "utf8")).toBe("new content");
  });

  it("creates a new file with mode 0600", () => {
    const target = join(tempDir(), "secret.json");
    writeFileAtomic(target, '{"secret":"s"}');
    expect(modeOf(target)).toBe(0o600);
    expect(readFileSync(target, "utf8")).toBe('{"secret":"s"}');
  });

  it("gives a replaced file mode 0600 even if the old one was world-readable", () => {
    const target = join(tempDir(), "meta.json");
    writeFileSync(target, "old", { mode: 0o644 });
    writeFileAtomic(target, "new");
    expect(modeOf(target)).toBe(0o600);
  });

  it("honours an explicit mode", () => {
    const target = join(tempDir(), "script");
    writeFileAtomic(target, "x", 0o700);
    expect(modeOf(target)).toBe(0o700);
  });

  it("writes bytes, a subarray view and large data exactly", () => {
    const dir = tempDir();
    const bytes = new Uint8Array([0, 1, 2, 255, 10, 13]);
    writeFileAtomic(join(dir, "bytes"), bytes);
    expect([...readFileSync(join(dir, "bytes"))]).toEqual([0, 1, 2, 255, 10, 13]);

    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    writeFileAtomic(join(dir, "view"), backing.subarray(2, 5));
    expect([...readFileSync(join(dir, "view"))]).toEqual([1, 2, 3]);

    const large = "é中😀".repeat(1_000_000);
    writeFileAtomic(join(dir, "large"), large);
    expect(readFileSync(join(dir, "large"), "utf8")).toBe(large);
  });

  it("leaves only the target behind", () => {
    const dir = tempDir();
    writeFileAtomic(join(dir, "f"), "1");
    writeFileAtomic(join(dir, "f"), "2");
    expect(readdirSync(dir)).toEqual(["f"]);
  });
});
