import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

// The plugin worker is loaded by path by tinypool, so it is its own entry.
export default defineConfig(
  packageBuild({ index: "src/index.ts", "plugin-worker": "src/plugin-worker.ts" }),
);
