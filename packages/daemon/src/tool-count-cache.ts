import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writeFileAtomic } from "@mcpward/core/light";

/** `<state>/tools/<projectId>/<daemonId>.json`: what the last daemon of a server learned. */
function cachePath(stateDir: string, projectId: string, daemonId: string): string {
  return join(stateDir, "tools", projectId, `${daemonId}.json`);
}

/**
 * Remembers how many tools a server has (a 0600 file in the state
 * directory), so `daemon status` can show the count of a configured server
 * that is not running. Holds a number and a time, nothing the server said.
 */
export function writeToolCount(
  stateDir: string,
  projectId: string,
  daemonId: string,
  tools: number,
): void {
  const path = cachePath(stateDir, projectId, daemonId);
  ensurePrivateDir(join(stateDir, "tools"));
  ensurePrivateDir(join(stateDir, "tools", projectId));
  writeFileAtomic(path, JSON.stringify({ tools, updatedAt: new Date().toISOString() }));
}

/** The tool count an earlier daemon of this server recorded, or null. */
export function readToolCount(
  stateDir: string,
  projectId: string,
  daemonId: string,
): number | null {
  if (!/^[0-9a-f]{16}$/.test(projectId) || !/^[0-9a-f]{24}$/.test(daemonId)) return null;
  try {
    const raw = JSON.parse(readFileSync(cachePath(stateDir, projectId, daemonId), "utf8")) as {
      tools?: unknown;
    };
    return typeof raw.tools === "number" && Number.isInteger(raw.tools) && raw.tools >= 0
      ? raw.tools
      : null;
  } catch {
    return null;
  }
}
