import assert from "node:assert/strict";
import { test } from "node:test";
import { expressionAllowed } from "./spdx.mjs";

test("allows a single listed licence and rejects others", () => {
  assert.equal(expressionAllowed("MIT"), true);
  assert.equal(expressionAllowed("0BSD"), true);
  assert.equal(expressionAllowed("GPL-3.0-only"), false);
  assert.equal(expressionAllowed("UNLICENSED"), false);
});

test("OR needs one allowed side, AND needs both", () => {
  assert.equal(expressionAllowed("(MIT OR Apache-2.0)"), true);
  assert.equal(expressionAllowed("(GPL-2.0 OR MIT)"), true);
  assert.equal(expressionAllowed("MIT AND BSD-3-Clause"), true);
  assert.equal(expressionAllowed("MIT AND GPL-2.0"), false);
  assert.equal(expressionAllowed("(MIT AND GPL-2.0) OR ISC"), true);
  assert.equal(expressionAllowed("MIT AND (GPL-2.0 OR LGPL-3.0)"), false);
});

test("WITH exceptions need a person to look", () => {
  assert.equal(expressionAllowed("Apache-2.0 WITH LLVM-exception"), false);
});

test("rejects expressions it cannot read", () => {
  assert.throws(() => expressionAllowed("(MIT OR"), /cannot read|unbalanced/);
  assert.throws(() => expressionAllowed("MIT ISC"), /cannot read/);
});
