import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { McpwardError } from "./errors.js";
import { checkSocketPathLength, MAX_SOCKET_PATH_BYTES, removeSocketSafely } from "./socket-path.js";

function thrown(fn: () => unknown): McpwardError {
  try {
    fn();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an McpwardError, nothing was thrown");
}

let tempDirs: string[] = [];
let servers: Server[] = [];
function tempDir(): string {
  // Short prefix: socket paths must stay under the AF_UNIX limit.
  const dir = mkdtempSync(join(tmpdir(), "mw-"));
  tempDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  servers = [];
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs = [];
});

async function listenOn(path: string): Promise<Server> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(path, done);
  });
  return server;
}

describe("removeSocketSafely: what it refuses", () => {
  it("leaves a regular file at the socket path byte for byte and throws UNSAFE_PATH", () => {
    const path = join(tempDir(), "d.sock");
    const content = Buffer.from([0, 1, 2, 0xff, 0x0a, ...Buffer.from("precious")]);
    writeFileSync(path, content);
    const past = new Date("2020-01-02T03:04:05Z");
    utimesSync(path, past, past);
    const before = lstatSync(path);

    const error = thrown(() => removeSocketSafely(path));
    expect(error.code).toBe("UNSAFE_PATH");
    expect(error.message).toBe(
      `${path} is not a socket, so mcpward will not remove it; move it away and retry`,
    );
    expect(error.data).toEqual({ path });

    const after = lstatSync(path);
    expect(readFileSync(path).equals(content)).toBe(true);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.mtimeMs).toBe(past.getTime());
    expect(after.ino).toBe(before.ino);
    expect(after.mode).toBe(before.mode);
  });

  it("leaves a directory at the socket path and throws UNSAFE_PATH", () => {
    const path = join(tempDir(), "d.sock");
    mkdirSync(path);
    writeFileSync(join(path, "inside"), "x");
    expect(thrown(() => removeSocketSafely(path)).code).toBe("UNSAFE_PATH");
    expect(readFileSync(join(path, "inside"), "utf8")).toBe("x");
  });
});

describe("removeSocketSafely: what it removes", () => {
  it("unlinks a real Unix socket", async () => {
    const path = join(tempDir(), "d.sock");
    await listenOn(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(removeSocketSafely(path)).toBe(true);
    expect(() => lstatSync(path)).toThrow(/ENOENT/);
  });

  it("unlinks a symlink at the socket path but not the file it points to", () => {
    const dir = tempDir();
    const target = join(dir, "precious");
    writeFileSync(target, "keep me");
    const path = join(dir, "d.sock");
    symlinkSync(target, path);
    expect(removeSocketSafely(path)).toBe(true);
    expect(() => lstatSync(path)).toThrow(/ENOENT/);
    expect(readFileSync(target, "utf8")).toBe("keep me");
  });

  it("unlinks a dangling symlink", () => {
    const path = join(tempDir(), "d.sock");
    symlinkSync("/nonexistent/target", path);
    expect(removeSocketSafely(path)).toBe(true);
    expect(() => lstatSync(path)).toThrow(/ENOENT/);
  });

  it("returns false when nothing is there", () => {
    expect(removeSocketSafely(join(tempDir(), "none.sock"))).toBe(false);
  });

  it("passes on errors other than a missing file", () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "x");
    expect(() => removeSocketSafely(join(file, "d.sock"))).toThrow(/ENOTDIR/);
  });
});

describe("checkSocketPathLength", () => {
  it("rejects a path one byte over the limit, telling the user to set MCPWARD_RUNTIME_DIR", () => {
    const path = `/${"a".repeat(MAX_SOCKET_PATH_BYTES)}`;
    const error = thrown(() => checkSocketPathLength(path));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toMatch(
      /socket path is 104 bytes, over the 103-byte Unix socket limit; set MCPWARD_RUNTIME_DIR to a shorter directory/,
    );
  });

  it("counts bytes, not characters", () => {
    // 51 two-byte characters plus "/" are 103 bytes; one more "é" is 105.
    expect(() => checkSocketPathLength(`/${"é".repeat(51)}`)).not.toThrow();
    expect(thrown(() => checkSocketPathLength(`/${"é".repeat(52)}`)).message).toMatch(/105 bytes/);
  });

  it("accepts exactly 103 bytes", () => {
    expect(MAX_SOCKET_PATH_BYTES).toBe(103);
    expect(() => checkSocketPathLength(`/${"a".repeat(102)}`)).not.toThrow();
  });

  it("matches what the kernel can bind: a 103-byte path listens", async () => {
    const dir = tempDir();
    const path = join(dir, "s".repeat(103 - Buffer.byteLength(dir) - 1));
    expect(Buffer.byteLength(path)).toBe(103);
    checkSocketPathLength(path);
    await listenOn(path);
    expect(lstatSync(path).isSocket()).toBe(true);
  });
});
