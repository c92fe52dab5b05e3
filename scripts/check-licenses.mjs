#!/usr/bin/env node
// Licence check of every production dependency of the published packages:
// walks the installed tree (dependencies, optional dependencies and required
// peer dependencies, transitively; devDependencies never) from each package and
// checks each package's `license` against the allowlist. SPDX expressions are
// evaluated: `(MIT OR Apache-2.0)` needs one allowed side, `A AND B` both.
// Offline: it reads node_modules, so run it after `pnpm install`.
//
// Usage:
//   node scripts/check-licenses.mjs              the workspace's published packages
//   node scripts/check-licenses.mjs --dir <pkg>  an installed package (e.g. from a tarball)
//   --list                                       print every package and licence
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ALLOWED, expressionAllowed } from "./lib/spdx.mjs";
import { publishedPackages } from "./lib/workspace.mjs";

/** A manifest's licence as an SPDX expression (old `licenses` arrays joined with OR). */
function licenseOf(manifest) {
  const { license, licenses } = manifest;
  if (typeof license === "string") return license;
  if (license && typeof license.type === "string") return license.type;
  if (Array.isArray(licenses) && licenses.length > 0) {
    return licenses.map((l) => (typeof l === "string" ? l : l.type)).join(" OR ");
  }
  return null;
}

/** Finds an installed package from a directory the way Node does (node_modules upwards). */
function findInstalled(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Walks the production tree below a package directory.
 *
 * @returns { found: Map<"name@version", { license, path, via }>, missing: string[] }
 */
export function productionTree(startDir) {
  const found = new Map();
  const missing = [];
  const seen = new Set();
  const visit = (dir, via) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const manifest = JSON.parse(readFileSync(join(real, "package.json"), "utf8"));
    const key = `${manifest.name}@${manifest.version}`;
    if (!found.has(key)) found.set(key, { license: licenseOf(manifest), path: real, via });
    const optionalPeers = manifest.peerDependenciesMeta ?? {};
    const wanted = [
      ...Object.keys(manifest.dependencies ?? {}).map((n) => [n, false]),
      ...Object.keys(manifest.optionalDependencies ?? {}).map((n) => [n, true]),
      // Optional peers are the user's choice (valibot's typescript): not shipped.
      ...Object.keys(manifest.peerDependencies ?? {})
        .filter((n) => optionalPeers[n]?.optional !== true)
        .map((n) => [n, false]),
    ];
    for (const [name, optional] of wanted) {
      const at = findInstalled(name, real);
      if (at === null) {
        if (!optional) missing.push(`${name} (needed by ${key})`);
        continue;
      }
      visit(at, [...via, key]);
    }
  };
  visit(startDir, []);
  return { found, missing };
}

const args = process.argv.slice(2);
const dirAt = args.indexOf("--dir");
const roots = dirAt >= 0 ? [resolve(args[dirAt + 1])] : publishedPackages().map((p) => p.dir);

const all = new Map();
const missing = [];
for (const dir of roots) {
  const tree = productionTree(dir);
  for (const [key, info] of tree.found) if (!all.has(key)) all.set(key, info);
  missing.push(...tree.missing);
}

const problems = [];
const counts = new Map();
for (const [key, { license, via }] of [...all].sort(([a], [b]) => a.localeCompare(b))) {
  let ok = false;
  try {
    ok = license !== null && expressionAllowed(license);
  } catch (error) {
    problems.push(`${key}: ${error.message}`);
    continue;
  }
  counts.set(license ?? "(none)", (counts.get(license ?? "(none)") ?? 0) + 1);
  if (args.includes("--list")) console.log(`check-licenses: ${key}: ${license}`);
  if (!ok) {
    problems.push(
      `${key}: licence ${license === null ? "missing" : `"${license}"`} is not allowed (via ${via.join(" > ") || "itself"})`,
    );
  }
}
for (const m of missing) problems.push(`not installed: ${m}; run pnpm install`);

const summary = [...counts]
  .sort((a, b) => b[1] - a[1])
  .map(([l, n]) => `${l} ${n}`)
  .join(", ");
console.log(`check-licenses: ${all.size} production packages: ${summary}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`check-licenses: ${p}`);
  console.error(`check-licenses: allowed: ${[...ALLOWED].join(", ")}`);
  process.exit(1);
}
console.log("check-licenses: every production dependency has an allowed licence");
