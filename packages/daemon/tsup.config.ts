import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base.js";

// The daemon entry is started as `node <path>`, so it is its own entry; the
// client entry must stay free of the SDK and valibot (the CLI's warm path).
export default defineConfig(
  packageBuild({
    index: "src/index.ts",
    client: "src/client.ts",
    "daemon-entry": "src/daemon-entry.ts",
  }),
);
