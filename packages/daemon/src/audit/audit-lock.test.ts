import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processStartTime } from "../process-info.js";
import { withAuditLock, withAuditLockSync } from "./audit-lock.js";

let dir: string;
let lock: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mcpward-lock-"));
  lock = join(dir, "audit.lock");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], {
    encoding: "utf8",
  });
  return Number(child.stdout.trim());
}

describe("withAuditLock", () => {
  it("runs the critical section holding the lock file, then removes it", async () => {
    const seen = await withAuditLock(lock, 1000, () => existsSync(lock));
    expect(seen).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it("refuses with BUSY while a live process holds the lock", () => {
    const attempt = (): void =>
      withAuditLockSync(lock, 1000, () => {
        withAuditLockSync(lock, 100, () => undefined);
      });
    expect(attempt).toThrow(expect.objectContaining({ code: "BUSY" }));
    expect(attempt).toThrow(new RegExp(`process ${process.pid}`));
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock left by a dead process", async () => {
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), start: "1", nonce: "x" }));
    await expect(withAuditLock(lock, 5000, () => "taken")).resolves.toBe("taken");
  });

  it("takes over a lock whose pid now belongs to another process (start time differs)", async () => {
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, start: "not-my-start-time", nonce: "x" }),
    );
    await expect(withAuditLock(lock, 5000, () => "taken")).resolves.toBe("taken");
  });

  it("keeps a lock held by a live process with its real start time", async () => {
    const start = processStartTime(process.pid);
    writeFileSync(lock, JSON.stringify({ pid: process.pid, start, nonce: "x" }));
    await expect(withAuditLock(lock, 400, () => "taken")).rejects.toMatchObject({ code: "BUSY" });
    expect(existsSync(lock)).toBe(true);
  });

  it("treats an unreadable lock file as held while fresh and as stale once old", async () => {
    writeFileSync(lock, "");
    await expect(withAuditLock(lock, 100, () => "taken")).rejects.toMatchObject({ code: "BUSY" });
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await expect(withAuditLock(lock, 5000, () => "taken")).resolves.toBe("taken");
  });

  it("is not blocked for good by a break file left by a dead breaker", async () => {
    writeFileSync(`${lock}.break`, JSON.stringify({ pid: deadPid(), start: "1", nonce: "y" }));
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), start: "1", nonce: "x" }));
    await expect(withAuditLock(lock, 5000, () => "taken")).resolves.toBe("taken");
    expect(existsSync(`${lock}.break`)).toBe(false);
  });
});
