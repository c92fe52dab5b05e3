import { existsSync, readFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIST_URL = new URL("../dist/", import.meta.url);
const DIST = fileURLToPath(DIST_URL);
const bundle = readFileSync(`${DIST}main.cjs`, "utf8");

function specifiers(pattern: RegExp): string[] {
  return [...bundle.matchAll(pattern)].map((m) => m[1]!);
}

describe("the bin's bundle (dist/main.cjs)", () => {
  it("imports each lazily loaded file of the ESM build by its path in dist/", () => {
    const lazy = specifiers(/\bimport\(\s*"([^"]+)"\s*\)/g).filter((s) => s.startsWith("."));
    expect(lazy).toContain("./commands/program.js");
    for (const specifier of lazy) {
      expect(existsSync(new URL(specifier, DIST_URL)), specifier).toBe(true);
      expect(specifier).toMatch(/\.js$/);
    }
  });

  it("requires only Node built-ins and the daemon's client (the rest is inlined or lazy)", () => {
    const builtins = new Set(builtinModules);
    const required = specifiers(/\brequire\(\s*"([^"]+)"\s*\)/g).filter(
      (s) => !builtins.has(s.replace(/^node:/, "")),
    );
    expect([...new Set(required)]).toEqual(["@mcpward/daemon/client"]);
  });

  it("resolves @mcpward/daemon/client to the daemon's CommonJS build", () => {
    const require = createRequire(`${DIST}main.cjs`);
    expect(require.resolve("@mcpward/daemon/client")).toMatch(/daemon\/dist\/client\.cjs$/);
  });
});
