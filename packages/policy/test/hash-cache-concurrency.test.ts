// Many daemons start at once and each records its hashes in the one cache
// file: real processes, writing concurrently, must never leave it torn.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HASH_CACHE_FILE, readHashCache } from "../src/hash-cache.js";

const DIST = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;
const WRITERS = 16;

let root: string;
beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-hash-race-")));
  for (let i = 0; i < WRITERS; i++) writeFileSync(join(root, `server-${i}.js`), `// ${i}\n`);
  writeFileSync(join(root, "shared.js"), "// shared\n");
  // Only files unchanged for a few seconds are cached.
  await new Promise((r) => setTimeout(r, 3100));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function hashIn(state: string, files: string[]): Promise<{ code: number | null; out: string }> {
  const script = `import { hashExecutable } from ${JSON.stringify(DIST)};
for (const file of ${JSON.stringify(files)}) console.log(await hashExecutable([file]));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, MCPWARD_STATE_DIR: state },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("persistent hash cache under concurrent writers", () => {
  it("stays a valid file of correct entries when 16 processes record hashes at once", async () => {
    const state = join(root, "state");
    const results = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        hashIn(state, [join(root, "shared.js"), join(root, `server-${i}.js`)]),
      ),
    );
    expect(results.map((r) => r.code)).toEqual(Array(WRITERS).fill(0));
    const entries = readHashCache(state);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      const digest = createHash("sha256").update(readFileSync(entry.path)).digest("hex");
      expect(entry.sha256).toBe(digest);
    }
    // No temp file is left behind, and nothing else is written there.
    expect(readdirSync(state)).toEqual([HASH_CACHE_FILE]);
  });
});
