import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

// main.js is the warm path; yargs-based commands are split into lazily
// imported chunks.
export default defineConfig(packageBuild({ index: "src/index.ts", main: "src/main.ts" }));
