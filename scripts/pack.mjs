#!/usr/bin/env node
// Packs every published package with `pnpm -r pack` (one tarball each) and
// checks what would be published:
//   - publint (strict) on each tarball, so what is linted is what ships;
//   - the packed package.json has no `workspace:` or `catalog:` range left
//     (pnpm rewrites them on pack) and each internal dependency is
//     `^<current version>` of that package;
//   - every file that `main`, `types`, `bin` and `exports` point at is in the
//     tarball, bin files start with a shebang, README.md and LICENSE are in,
//     and no sources, tests or configs leaked in.
// Writes <out>/tarballs.json ({ name: { file, version } }) for the packaging
// tests. Run `turbo run build` first.
//
// Usage: node scripts/pack.mjs [--out <dir>]   (default: a new temp dir)
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  envWithPnpm,
  exec,
  pnpmCommand,
  publishedPackages,
  readJson,
  root,
} from "./lib/workspace.mjs";

const DEP_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies"];
const LEAKED = [
  /^src\//,
  /\.test\.[cm]?[jt]s$/,
  /^test\//,
  /^tsconfig/,
  /^tsup\.config/,
  /^vitest/,
];

/** Every target string in an `exports` value (conditions and subpaths flattened). */
function exportTargets(value) {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(exportTargets);
}

/** Lists a tarball's files (without the `package/` prefix). */
function tarballFiles(file) {
  return exec("tar", ["-tzf", file])
    .stdout.split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
}

/** Reads one file from a tarball. */
function tarballText(file, path) {
  return exec("tar", ["-xzOf", file, `package/${path}`]).stdout;
}

/** Checks one packed tarball; returns a list of problems. */
export function checkTarball(file, pkg, versions) {
  const problems = [];
  const files = new Set(tarballFiles(file));
  const manifest = JSON.parse(tarballText(file, "package.json"));
  for (const field of DEP_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|catalog):/.test(range)) {
        problems.push(`${field}.${name} is still "${range}" in the tarball`);
      } else if (versions.has(name) && range !== `^${versions.get(name)}`) {
        problems.push(`${field}.${name} is "${range}", expected "^${versions.get(name)}"`);
      }
    }
  }
  const pointed = [
    manifest.main,
    manifest.types,
    ...Object.values(typeof manifest.bin === "string" ? { x: manifest.bin } : (manifest.bin ?? {})),
    ...exportTargets(manifest.exports),
  ].filter((p) => typeof p === "string");
  for (const target of pointed) {
    const path = target.replace(/^\.\//, "");
    if (!files.has(path)) problems.push(`points at ${target}, which is not in the tarball`);
  }
  for (const bin of Object.values(manifest.bin ?? {})) {
    const path = bin.replace(/^\.\//, "");
    if (files.has(path) && !tarballText(file, path).startsWith("#!/usr/bin/env node")) {
      problems.push(`bin ${bin} does not start with "#!/usr/bin/env node"`);
    }
  }
  for (const needed of ["README.md", "LICENSE", "package.json"]) {
    if (!files.has(needed)) problems.push(`${needed} is missing from the tarball`);
  }
  for (const path of files) {
    if (LEAKED.some((re) => re.test(path))) problems.push(`${path} should not be published`);
  }
  if (manifest.name !== pkg.name || manifest.version !== pkg.version) {
    problems.push(`tarball is ${manifest.name}@${manifest.version}`);
  }
  const rootEngines = readJson(join(root, "package.json")).engines.node;
  const metadata = {
    type: [manifest.type === "module", `"type" is ${manifest.type}, expected "module"`],
    engines: [
      manifest.engines?.node === rootEngines,
      `engines.node is ${manifest.engines?.node}, expected "${rootEngines}"`,
    ],
    access: [manifest.publishConfig?.access === "public", `publishConfig.access is not "public"`],
    license: [typeof manifest.license === "string", "no license"],
    repository: [
      manifest.repository?.directory === pkg.rel,
      `repository.directory is not "${pkg.rel}"`,
    ],
    types: [typeof manifest.exports?.["."]?.types === "string", `exports["."] has no types`],
  };
  for (const [ok, message] of Object.values(metadata)) if (!ok) problems.push(message);
  return problems;
}

/**
 * Packs and checks every published package.
 *
 * @returns { out, tarballs: { [name]: { file, version } } }
 * @throws when packing fails or any check finds a problem
 */
export function packAll(out = mkdtempSync(join(tmpdir(), "mcpward-packs-"))) {
  const packages = publishedPackages();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  exec(pnpmCommand(), ["-r", "--filter", "./packages/*", "pack", "--pack-destination", out], {
    cwd: root,
    env: envWithPnpm(),
  });
  const versions = new Map(packages.map((p) => [p.name, p.version]));
  const made = readdirSync(out).filter((f) => f.endsWith(".tgz"));
  const tarballs = {};
  const problems = [];
  const publint = join(root, "node_modules", "publint", "src", "cli.js");
  for (const pkg of packages) {
    const expected = `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;
    if (!made.includes(expected)) {
      problems.push(`${pkg.name}: ${expected} was not produced`);
      continue;
    }
    const file = join(out, expected);
    tarballs[pkg.name] = { file, version: pkg.version };
    for (const p of checkTarball(file, pkg, versions)) problems.push(`${pkg.name}: ${p}`);
    const lint = exec(process.execPath, [publint, "run", file, "--strict"], {
      cwd: root,
      allowFailure: true,
    });
    const output = `${lint.stdout}${lint.stderr}`.trim();
    if (lint.status !== 0 || !output.includes("All good!")) {
      problems.push(`${pkg.name}: publint --strict:\n${output}`);
    } else {
      console.log(`pack: ${expected}: publint --strict: all good`);
    }
  }
  if (made.length !== packages.length) {
    problems.push(`expected ${packages.length} tarballs, got ${made.join(", ")}`);
  }
  writeFileSync(join(out, "tarballs.json"), `${JSON.stringify(tarballs, null, 2)}\n`);
  if (problems.length > 0) {
    throw new Error(`pack: ${problems.length} problem(s):\n${problems.join("\n")}`);
  }
  return { out, tarballs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const at = process.argv.indexOf("--out");
  const out = at > 0 ? resolve(process.argv[at + 1]) : undefined;
  try {
    const result = packAll(out);
    for (const [name, { file }] of Object.entries(result.tarballs)) {
      const manifest = JSON.parse(tarballText(file, "package.json"));
      const deps = Object.entries(manifest.dependencies ?? {})
        .map(([n, r]) => `${n}@${r}`)
        .join(", ");
      console.log(`pack: ${name} -> ${file}\n      dependencies: ${deps}`);
    }
    console.log(`pack: ${Object.keys(result.tarballs).length} tarballs checked in ${result.out}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
