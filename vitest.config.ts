import { defineConfig } from "vitest/config";

// One project per package (each package's own vitest.config.ts), so
// `vitest` at the root runs everything and `turbo run test` runs per package.
export default defineConfig({
  test: {
    projects: ["packages/*"],
  },
});
