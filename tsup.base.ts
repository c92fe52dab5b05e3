import type { Options } from "tsup";

/**
 * Shared build settings: ESM only, Node 20 target, declarations for the
 * public entries. Each package passes its own entry points (worker and daemon
 * entries are separate because they are loaded by path).
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    outDir: "dist",
    ...overrides,
  };
}
