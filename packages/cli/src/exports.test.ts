import { describe, expect, it } from "vitest";
import * as entry from "./index.js";

// Every runtime export is a promise to other repositories: a change to this
// list must be deliberate and visible in review.
describe("public runtime exports", () => {
  it("of @mcpward/cli are exactly these", () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "formatResult",
        "main",
      ]
    `);
  });
});
