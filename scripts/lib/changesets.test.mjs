import assert from "node:assert/strict";
import { test } from "node:test";
import { parseChangeset } from "./changesets.mjs";

test("reads the packages, bumps and summary", () => {
  const cs = parseChangeset(
    "---\n\"@mcpward/core\": minor\n'@mcpward/cli': patch\n---\n\nFixes it.\n",
  );
  assert.deepEqual(cs.releases, [
    { name: "@mcpward/core", type: "minor" },
    { name: "@mcpward/cli", type: "patch" },
  ]);
  assert.equal(cs.summary, "Fixes it.");
  assert.deepEqual(cs.problems, []);
});

test("an empty changeset releases nothing", () => {
  assert.deepEqual(parseChangeset("---\n---\n").releases, []);
});

test("reports a front matter a markdown formatter turned into a heading", () => {
  const cs = parseChangeset('---\n\n## "@mcpward/core": minor\n\nText\n');
  assert.notDeepEqual(cs.problems, []);
});

test("reports an unknown bump type", () => {
  assert.match(parseChangeset('---\n"@mcpward/core": huge\n---\nx\n').problems[0], /not major/);
});
