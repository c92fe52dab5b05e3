import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";
import { keepCjs, warmCjsBuild } from "../../tsup.warm-cjs.js";

// The daemon entry is started as `node <path>`, so it is its own entry; the
// client entry must stay free of the SDK and valibot (the CLI's warm path).
// The client also ships as one CommonJS file (core/light inlined) for the
// CLI's bundled warm path; it stays in this package's dist/ so
// `./daemon-entry.js` and `../package.json` resolve here.
export default defineConfig([
  packageBuild(
    {
      index: "src/index.ts",
      client: "src/client.ts",
      "daemon-entry": "src/daemon-entry.ts",
    },
    { clean: keepCjs },
  ),
  warmCjsBuild({ client: "src/client.ts" }, { inline: ["@mcpward/core"] }),
]);
