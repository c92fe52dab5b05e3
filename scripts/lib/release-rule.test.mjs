import assert from "node:assert/strict";
import { test } from "node:test";
import { caretSatisfies, expectedPlan, increment } from "./release-rule.mjs";

test("increments like changesets", () => {
  assert.equal(increment("0.1.0", "patch"), "0.1.1");
  assert.equal(increment("0.1.3", "minor"), "0.2.0");
  assert.equal(increment("0.1.3", "major"), "1.0.0");
  assert.equal(increment("1.2.3", "major"), "2.0.0");
});

test("caret ranges follow semver's 0.x rules", () => {
  assert.equal(caretSatisfies("1.3.0", "1.2.0"), true);
  assert.equal(caretSatisfies("2.0.0", "1.2.0"), false);
  assert.equal(caretSatisfies("0.1.1", "0.1.0"), true);
  assert.equal(caretSatisfies("0.2.0", "0.1.0"), false);
  assert.equal(caretSatisfies("0.0.1", "0.0.0"), false);
});

const pkg = (version, dependencies = {}) => ({ version, manifest: { dependencies } });
const graph = new Map([
  ["core", pkg("0.1.0")],
  ["policy", pkg("0.1.0", { core: "workspace:^" })],
  ["daemon", pkg("0.1.0", { core: "workspace:^", policy: "workspace:^" })],
  ["cli", pkg("0.1.0", { daemon: "workspace:^", core: "workspace:^" })],
]);

test("a patch in range bumps only the named package", () => {
  assert.deepEqual([...expectedPlan(graph, { core: "patch" })], [["core", "0.1.1"]]);
});

test("a bump out of range patches every dependent, transitively", () => {
  assert.deepEqual(Object.fromEntries(expectedPlan(graph, { core: "minor" })), {
    core: "0.2.0",
    policy: "0.1.1",
    daemon: "0.1.1",
    cli: "0.1.1",
  });
  // cli depends on daemon, whose patch (0.1.1) stays in cli's ^0.1.0: no bump.
  assert.deepEqual(Object.fromEntries(expectedPlan(graph, { policy: "minor" })), {
    policy: "0.2.0",
    daemon: "0.1.1",
  });
});
