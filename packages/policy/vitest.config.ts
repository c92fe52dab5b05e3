import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@mcpward/policy",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
