import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@mcpward/cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // End-to-end tests start real daemons and servers; under a loaded CI
    // machine a cold start alone can take seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
