import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@mcpward/policy",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Builds dist first: the plugin worker is loaded by path.
    globalSetup: ["test/global-setup.ts"],
  },
});
