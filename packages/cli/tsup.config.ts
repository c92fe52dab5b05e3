import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";
import { keepCjs, warmCjsBuild } from "../../tsup.warm-cjs.js";

/**
 * Every file some source imports dynamically by relative path
 * (`import("./commands/program.js")`) is an entry of its own, so it sits in
 * dist/ where it sits in src/: the CommonJS warm path (dist/main.cjs) loads
 * those files of the ESM build by that path.
 */
function lazyEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  const files = readdirSync("src", { recursive: true, encoding: "utf8" });
  for (const file of files) {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file.endsWith(".d.ts")) continue;
    const source = readFileSync(join("src", file), "utf8");
    for (const [, spec] of source.matchAll(/\bimport\(\s*"(\.\.?\/[^"]+)\.js"\s*\)/g)) {
      const target = relative("src", resolve("src", dirname(file), spec!))
        .split("\\")
        .join("/");
      entries[target] = `src/${target}.ts`;
    }
  }
  return entries;
}

// main.js is the ESM warm path of the public API (index.js); main.cjs is the
// same code bundled for the bin (core/light inlined, the daemon's client.cjs
// required). yargs-based commands are lazily imported ESM files in both.
export default defineConfig([
  packageBuild(
    { ...lazyEntries(), index: "src/index.ts", main: "src/main.ts" },
    { clean: keepCjs, dts: { entry: { index: "src/index.ts", main: "src/main.ts" } } },
  ),
  warmCjsBuild(
    { main: "src/main.ts" },
    { inline: ["@mcpward/core"], byPath: { "@mcpward/daemon/client": "dist/client.cjs" } },
  ),
]);
