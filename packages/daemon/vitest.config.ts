import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@mcpward/daemon",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
