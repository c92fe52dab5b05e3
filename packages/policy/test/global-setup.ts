import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const entries = ["index.js", "plugin-worker.js"];

/** True when dist has both entries and they are newer than every source file. */
function upToDate(): boolean {
  if (!entries.every((entry) => existsSync(join(dist, entry)))) return false;
  const built = Math.min(...entries.map((entry) => statSync(join(dist, entry)).mtimeMs));
  const sources = readdirSync(join(root, "src")).filter((name) => name.endsWith(".ts"));
  return sources.every((name) => statSync(join(root, "src", name)).mtimeMs < built);
}

/**
 * Builds dist before the tests when it is stale: the plugin worker is loaded
 * by path (tinypool cannot run TypeScript), and the example plugin imports
 * `@mcpward/policy` through its package exports. Declarations are skipped to
 * keep this fast; files are built aside and renamed in, so a package that
 * imports dist at the same moment never reads half a file. Points
 * MCPWARD_STATE_DIR at a temporary directory for the run.
 */
export default async function setup(): Promise<() => void> {
  // hashExecutable keeps a cache in the state directory: never the user's.
  const state = mkdtempSync(join(tmpdir(), "mcpward-policy-state-"));
  process.env.MCPWARD_STATE_DIR = join(state, "state");
  const teardown = (): void => rmSync(state, { recursive: true, force: true });
  if (upToDate()) return teardown;
  const staging = join(root, `.dist-test-${process.pid}`);
  try {
    await build({
      config: false,
      entry: {
        index: join(root, "src/index.ts"),
        "plugin-worker": join(root, "src/plugin-worker.ts"),
      },
      format: ["esm"],
      target: "node20",
      platform: "node",
      outDir: staging,
      splitting: false,
      clean: true,
      dts: false,
      sourcemap: true,
      silent: true,
    });
    mkdirSync(dist, { recursive: true });
    for (const name of readdirSync(staging)) renameSync(join(staging, name), join(dist, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return teardown;
}
