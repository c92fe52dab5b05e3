import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@mcpward/daemon",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Integration tests (test/) start real daemons and servers on shared,
    // noisy machines: generous limits, never wall-clock assertions.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
