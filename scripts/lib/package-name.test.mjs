import assert from "node:assert/strict";
import { test } from "node:test";
import { packageNameOf } from "./package-name.mjs";

test("names the package of a bare specifier", () => {
  assert.equal(packageNameOf("valibot"), "valibot");
  assert.equal(
    packageNameOf("@modelcontextprotocol/sdk/client/index.js"),
    "@modelcontextprotocol/sdk",
  );
  assert.equal(packageNameOf("yargs/helpers"), "yargs");
});

test("ignores relative paths, built-ins, URLs and subpath imports", () => {
  for (const s of [
    "./x.js",
    "../y",
    "/abs",
    "#internal",
    "node:fs",
    "fs",
    "fs/promises",
    "data:text/javascript,1",
  ]) {
    assert.equal(packageNameOf(s), null, s);
  }
});
