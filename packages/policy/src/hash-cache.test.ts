import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hashExecutable } from "./content-hash.js";
import {
  fileStamp,
  HASH_CACHE_FILE,
  MAX_CACHE_ENTRIES,
  readHashCache,
  storeHash,
} from "./hash-cache.js";

const FAKE = "f".repeat(64);

/** Files last changed over 3 s ago: only those are cached (see RACY_NS). */
let settled: string;
/** A fresh state directory per test. */
let state: string;

beforeAll(async () => {
  settled = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-hash-cache-")));
  for (let i = 0; i < 12; i++) writeFileSync(join(settled, `f${i}`), `content ${i}\n`);
  await new Promise((r) => setTimeout(r, 3100));
});

beforeEach(() => {
  state = join(realpathSync(mkdtempSync(join(tmpdir(), "mcpward-state-"))), "state");
  mkdirSync(state, { mode: 0o700 });
});

function file(i: number): string {
  return join(settled, `f${i}`);
}

function stampOf(path: string): string {
  return fileStamp(statSync(path, { bigint: true }));
}

/** hashExecutable's result for one file whose SHA-256 is `digest`. */
function combined(digest: string): string {
  return `sha256:${createHash("sha256").update(`mcpward-content-v1\n${digest}`).digest("hex")}`;
}

function truth(path: string): string {
  return combined(createHash("sha256").update(readFileSync(path)).digest("hex"));
}

function cacheText(entries: object[]): string {
  return JSON.stringify({ version: 1, entries });
}

function writeCache(text: string, mode = 0o600): string {
  const path = join(state, HASH_CACHE_FILE);
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  return path;
}

/** An entry claiming `path` has content FAKE, with the given stamp. */
function forged(path: string, stamp = stampOf(path)): object {
  return { path, stamp, sha256: FAKE, hashedAt: 1 };
}

describe("persistent hash cache: attacks", () => {
  it("uses an entry only when its stamp is the file's current one", async () => {
    const current = file(0);
    writeCache(cacheText([forged(current)]));
    // The control: an entry with the current stamp is what the cache is for.
    expect(await hashExecutable([current], { stateDir: state })).toBe(combined(FAKE));
    const stale = file(1);
    const [dev, ino, size, mtime, ctime] = stampOf(stale).split(":").map(BigInt);
    const old = `${dev}:${ino}:${size}:${mtime}:${ctime! - 1n}`;
    writeCache(cacheText([forged(stale, old)]));
    expect(await hashExecutable([stale], { stateDir: state })).toBe(truth(stale));
  });

  it("misses for a file rewritten with the same size and mtime (its ctime changed)", async () => {
    const script = join(settled, "script.js");
    const when = 1_700_000_000;
    writeFileSync(script, "console.log('good')");
    utimesSync(script, when, when);
    writeCache(cacheText([forged(script)]));
    expect(await hashExecutable([script], { stateDir: state })).toBe(combined(FAKE));
    const before = statSync(script, { bigint: true });
    writeFileSync(script, "console.log('evil')");
    utimesSync(script, when, when);
    const after = statSync(script, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([
      before.size,
      before.mtimeNs,
      before.ino,
    ]);
    expect(await hashExecutable([script], { stateDir: state })).toBe(truth(script));
  });

  it("ignores a cache file that is a symlink, and replaces the link", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "mcpward-elsewhere-"));
    const target = join(elsewhere, "cache.json");
    writeFileSync(target, cacheText([forged(file(2))]), { mode: 0o600 });
    symlinkSync(target, join(state, HASH_CACHE_FILE));
    expect(await hashExecutable([file(2)], { stateDir: state })).toBe(truth(file(2)));
    expect(lstatSync(join(state, HASH_CACHE_FILE)).isFile()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(cacheText([forged(file(2))]));
  });

  it.each([
    [0o666, 3],
    [0o620, 4],
    [0o602, 5],
    [0o640, 6],
  ])("ignores a cache file with mode %o and rewrites it 0600", async (mode, i) => {
    const path = writeCache(cacheText([forged(file(i))]), mode);
    expect(await hashExecutable([file(i)], { stateDir: state })).toBe(truth(file(i)));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readHashCache(state).map((e) => e.sha256)).not.toContain(FAKE);
  });

  it("ignores a cache in a state directory open to others", async () => {
    writeCache(cacheText([forged(file(7))]));
    chmodSync(state, 0o770);
    expect(readHashCache(state)).toEqual([]);
    expect(await hashExecutable([file(7)], { stateDir: state })).toBe(truth(file(7)));
    expect(statSync(state).mode & 0o777).toBe(0o700);
  });

  it.runIf(process.getuid?.() === 0)("ignores a cache file owned by someone else", async () => {
    const path = writeCache(cacheText([forged(file(8))]));
    chownSync(path, 65534, 65534);
    expect(readHashCache(state)).toEqual([]);
    expect(await hashExecutable([file(8)], { stateDir: state })).toBe(truth(file(8)));
    expect(statSync(path).uid).toBe(0);
  });

  it.each([
    ["not JSON", "{ nope"],
    ["an unknown field", JSON.stringify({ version: 1, entries: [], extra: 1 })],
    ["a future version", JSON.stringify({ version: 2, entries: [] })],
    ["a bad hash", cacheText([{ path: "/x", stamp: "1:2:3:4:5", sha256: "abc", hashedAt: 1 }])],
    ["a relative path", cacheText([{ path: "x", stamp: "1:2:3:4:5", sha256: FAKE, hashedAt: 1 }])],
    ["a prototype key", '{"version":1,"entries":[],"__proto__":{"polluted":1}}'],
    ["an empty file", ""],
  ])("treats a cache with %s as empty", (_, text) => {
    writeCache(text);
    expect(readHashCache(state)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("treats an oversized cache as empty, even when the entry in it would match", async () => {
    writeCache(`${cacheText([forged(file(9))])}${" ".repeat(600 * 1024)}`);
    expect(readHashCache(state)).toEqual([]);
    expect(await hashExecutable([file(9)], { stateDir: state })).toBe(truth(file(9)));
  });

  it("does not hang on a FIFO in place of the cache file", async () => {
    execFileSync("mkfifo", [join(state, HASH_CACHE_FILE)]);
    expect(readHashCache(state)).toEqual([]);
    expect(await hashExecutable([file(10)], { stateDir: state })).toBe(truth(file(10)));
  });
});

describe("persistent hash cache", () => {
  it("records a hash 0600 in a 0700 directory, keyed by real path and stamp", async () => {
    const link = join(state, "..", "link");
    symlinkSync(file(11), link);
    expect(await hashExecutable([link], { stateDir: state })).toBe(truth(file(11)));
    const path = join(state, HASH_CACHE_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(readHashCache(state)).toEqual([
      {
        path: file(11),
        stamp: stampOf(file(11)),
        sha256: createHash("sha256")
          .update(readFileSync(file(11)))
          .digest("hex"),
        hashedAt: expect.any(Number),
      },
    ]);
    expect(readdirSync(state)).toEqual([HASH_CACHE_FILE]);
  });

  it("does not record a file changed within the last seconds (its ctime may not tick)", async () => {
    const fresh = join(state, "..", "fresh.js");
    writeFileSync(fresh, "fresh");
    expect(await hashExecutable([fresh], { stateDir: state })).toBe(truth(fresh));
    expect(readHashCache(state)).toEqual([]);
  });

  it("keeps the newest entries, one per path", () => {
    const entry = (i: number) => ({ path: `/bin/p${i}`, stamp: `1:${i}:3:4:5`, sha256: FAKE });
    for (let i = 0; i < MAX_CACHE_ENTRIES + 10; i++) storeHash(state, entry(i), 1000 + i);
    storeHash(state, { ...entry(MAX_CACHE_ENTRIES + 9), stamp: "9:9:9:9:9" }, 5000);
    const entries = readHashCache(state);
    expect(entries).toHaveLength(MAX_CACHE_ENTRIES);
    expect(entries[0]!.path).toBe("/bin/p10");
    expect(entries.filter((e) => e.path === `/bin/p${MAX_CACHE_ENTRIES + 9}`)).toEqual([
      expect.objectContaining({ stamp: "9:9:9:9:9", hashedAt: 5000 }),
    ]);
  });

  it("never throws when the state directory cannot be used", () => {
    const blocked = join(state, "file");
    writeFileSync(blocked, "");
    expect(() =>
      storeHash(join(blocked, "state"), { path: "/x", stamp: "1:2:3:4:5", sha256: FAKE }),
    ).not.toThrow();
    expect(readHashCache(join(blocked, "state"))).toEqual([]);
  });
});
