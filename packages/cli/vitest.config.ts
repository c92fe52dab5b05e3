import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@mcpward/cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
