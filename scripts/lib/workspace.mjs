// Helpers shared by the repository scripts (checks, packing, release dry run,
// packaging tests): where the repo is, which packages are published, how to
// find pnpm, and how to run a command with a time limit.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Reads and parses a JSON file. */
export function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * The published packages: every packages/<dir>/package.json that is not
 * private, in dependency order (a package after everything it depends on).
 *
 * @returns [{ name, version, dir, rel, manifest }]
 */
export function publishedPackages() {
  const dir = join(root, "packages");
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const manifest = readJson(file);
    if (manifest.private) continue;
    found.push({
      name: manifest.name,
      version: manifest.version,
      dir: join(dir, entry.name),
      rel: `packages/${entry.name}`,
      manifest,
    });
  }
  const names = new Set(found.map((p) => p.name));
  const ordered = [];
  const visit = (pkg, seen = new Set()) => {
    if (ordered.includes(pkg) || seen.has(pkg.name)) return;
    seen.add(pkg.name);
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) {
      if (names.has(dep))
        visit(
          found.find((p) => p.name === dep),
          seen,
        );
    }
    ordered.push(pkg);
  };
  for (const pkg of found.sort((a, b) => a.name.localeCompare(b.name))) visit(pkg);
  return ordered;
}

/** The pinned pnpm version (root package.json `packageManager`). */
export function pinnedPnpm() {
  return readJson(join(root, "package.json")).packageManager.split("@")[1];
}

/**
 * The pnpm to run: the one on PATH when it is the pinned version, else the
 * copy `scripts/dev.mjs setup` installed into .tools/.
 */
export function pnpmCommand() {
  const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.trim() === pinnedPnpm()) return "pnpm";
  const local = join(root, ".tools", "node_modules", ".bin", "pnpm");
  if (existsSync(local)) return local;
  throw new Error("pnpm not found: run `node scripts/dev.mjs setup` first");
}

/**
 * The environment for child processes, with pnpm's directory on PATH: turbo
 * and publint look pnpm up by name, and .tools/ is not on PATH by itself.
 */
export function envWithPnpm(env = process.env) {
  const pnpm = pnpmCommand();
  if (pnpm === "pnpm") return { ...env };
  return { ...env, PATH: `${dirname(pnpm)}${delimiter}${env.PATH ?? ""}` };
}

/**
 * Runs a command without a shell and returns { status, stdout, stderr }.
 * Throws when it cannot start, times out, or (unless `allowFailure`) exits
 * non-zero; the error message carries the command and its output tail.
 */
export function exec(cmd, args, options = {}) {
  const { allowFailure = false, timeoutMs = 300_000, ...rest } = options;
  const result = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
    ...rest,
  });
  const shown = `${cmd} ${args.join(" ")}`;
  if (result.error) {
    throw new Error(`${shown}: ${result.error.message}`, { cause: result.error });
  }
  if (result.status !== 0 && !allowFailure) {
    const tail = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-30);
    throw new Error(`${shown} exited with ${result.status ?? result.signal}\n${tail.join("\n")}`);
  }
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** Whether a path is inside the repository's git work tree with git available. */
export function hasGit() {
  const r = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], {
    cwd: root,
    encoding: "utf8",
  });
  return r.status === 0 && r.stdout.trim() === "true";
}
