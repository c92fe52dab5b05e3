import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@mcpward/core",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
