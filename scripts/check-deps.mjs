#!/usr/bin/env node
// Every package import in what a package publishes must be declared in that
// package's own `dependencies` or `peerDependencies`. In the workspace, pnpm
// (or a hoisted node_modules) can make an undeclared import work by accident;
// after `npm i @mcpward/x` it fails at run time (or, for a type import in a
// .d.ts, in the user's type check).
//
// Checks, per published package, on the built output (run `turbo run build`
// first):
//   1. every bare import in dist/**/*.js, dist/**/*.d.ts and bin/**/*.js is a
//      Node built-in, the package itself, or declared in dependencies /
//      peerDependencies / optionalDependencies;
//   2. every declared production dependency is imported somewhere (an unused
//      one only costs users install time and audit surface);
//   3. no third-party code was bundled into dist (tsup inlines imports of
//      devDependencies; the source maps tell): it must be a real dependency;
//   4. internal dependencies use `workspace:^`.
//
// Usage: node scripts/check-deps.mjs
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { packageNameOf } from "./lib/package-name.mjs";
import { publishedPackages, root } from "./lib/workspace.mjs";

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** Bare imports of one file, parsed by TypeScript (static, dynamic, require, import types). */
function importsOf(file) {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

const problems = [];
const report = [];
for (const pkg of publishedPackages()) {
  const { manifest, dir } = pkg;
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const dist = join(dir, "dist");
  if (!existsSync(dist) || !statSync(dist).isDirectory()) {
    problems.push(`${pkg.name}: ${relative(root, dist)} is missing; run \`turbo run build\` first`);
    continue;
  }
  const files = [...walk(dist), ...walk(join(dir, "bin"))].filter((f) =>
    /\.(m?js|d\.m?ts)$/.test(f),
  );
  const used = new Map(); // package name -> first file importing it
  for (const file of files) {
    for (const specifier of importsOf(file)) {
      const name = packageNameOf(specifier);
      if (name === null || name === manifest.name) continue;
      if (!used.has(name)) used.set(name, relative(root, file));
    }
  }
  for (const [name, file] of used) {
    if (!declared.has(name)) {
      problems.push(
        `${pkg.name}: imports "${name}" (${file}) but does not declare it; add it to ${pkg.rel}/package.json dependencies (or peerDependencies)`,
      );
    }
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!used.has(name)) {
      problems.push(
        `${pkg.name}: declares dependency "${name}" but nothing in dist/ or bin/ imports it; remove it (or move it to devDependencies)`,
      );
    }
  }
  for (const map of walk(dist)) {
    if (!map.endsWith(".map")) continue;
    const { sources = [] } = JSON.parse(readFileSync(map, "utf8"));
    for (const source of sources) {
      if (source.includes("node_modules/")) {
        problems.push(
          `${pkg.name}: ${relative(root, map)} bundles third-party code (${source}); declare that package in dependencies so tsup keeps it external`,
        );
        break;
      }
    }
  }
  for (const [field, deps] of Object.entries({
    dependencies: manifest.dependencies ?? {},
    peerDependencies: manifest.peerDependencies ?? {},
  })) {
    for (const [name, range] of Object.entries(deps)) {
      if (name.startsWith("@mcpward/") && range !== "workspace:^") {
        problems.push(`${pkg.name}: ${field}.${name} is "${range}"; use "workspace:^"`);
      }
    }
  }
  report.push(`${pkg.name}: ${[...used.keys()].sort().join(", ") || "(no package imports)"}`);
}

for (const line of report) console.log(`check-deps: ${line}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  console.error(`check-deps: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log("check-deps: every import is declared, every dependency is used, nothing bundled");
