#!/usr/bin/env node
// Fails when a package's published content changed without a changeset that
// names the package. Works on a fresh clone with no base branch:
//
//   For each published package, the baseline is its last release:
//     - the git tag `<name>@<version>` (what `changeset publish` creates), or
//     - when there is no such tag (versioned but not published yet, or tags
//       not fetched) and CHANGELOG.md has a `## <version>` heading, the last
//       commit that touched that CHANGELOG.md (the version commit: only
//       `changeset version` writes it);
//     - otherwise the package was never released: it needs a pending
//       changeset for its first release.
//   A package changed since its baseline needs a pending changeset
//   (.changeset/*.md) naming it.
//
//   With `--base <ref>` (or GITHUB_BASE_REF in a pull request), it is
//   stricter: every package changed since the merge base with <ref> needs a
//   changeset file added or edited since that merge base.
//
// "Changed" means what users receive: src/** except tests and snapshots,
// bin/**, tsup.config.ts, the root tsup.base.ts, and package.json fields other
// than scripts, devDependencies and version (`catalog:` ranges are resolved
// through pnpm-workspace.yaml, so a catalog bump counts for every package
// using it). README and test changes need no changeset.
//
// Also checks that every pending changeset parses and names only published
// packages. Usage: node scripts/check-changesets.mjs [--base <ref>] [--verbose]
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readChangesets } from "./lib/changesets.mjs";
import { exec, hasGit, publishedPackages, root } from "./lib/workspace.mjs";

const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const baseAt = args.indexOf("--base");
const baseRef =
  baseAt >= 0
    ? args[baseAt + 1]
    : process.env.GITHUB_BASE_REF
      ? `origin/${process.env.GITHUB_BASE_REF}`
      : undefined;

const problems = [];
const lines = [];

function git(gitArgs, options = {}) {
  return exec("git", gitArgs, { cwd: root, ...options });
}

function gitOk(gitArgs) {
  const r = git(gitArgs, { allowFailure: true });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The `catalog:` block of a pnpm-workspace.yaml text, as { name: range }. */
function catalogOf(yaml) {
  const catalog = {};
  let inside = false;
  for (const line of (yaml ?? "").split(/\r?\n/)) {
    if (/^catalog:\s*$/.test(line)) {
      inside = true;
      continue;
    }
    if (inside && /^\S/.test(line)) inside = false;
    const m =
      inside && /^\s+["']?([^"':]+(?::[^"':]+)?)["']?\s*:\s*["']?([^"'#\s]+)["']?/.exec(line);
    if (m) catalog[m[1]] = m[2];
  }
  return catalog;
}

/** The parts of a manifest that reach users, with catalog ranges resolved. */
function publishedView(manifestText, workspaceYaml) {
  if (manifestText === null) return null;
  const manifest = JSON.parse(manifestText);
  const catalog = catalogOf(workspaceYaml);
  delete manifest.scripts;
  delete manifest.devDependencies;
  delete manifest.version;
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (range === "catalog:" || range === "catalog:default") {
        manifest[field][name] = `catalog=${catalog[name] ?? "?"}`;
      }
    }
  }
  return JSON.stringify(manifest);
}

/** Whether a path (relative to the package directory) is published content. */
function isReleaseRelevant(rel) {
  if (rel.startsWith("src/")) {
    return !/\.(test|spec)\.[cm]?[jt]sx?$/.test(rel) && !rel.includes("__snapshots__/");
  }
  return rel.startsWith("bin/") || rel === "tsup.config.ts";
}

/** Published changes in one package since a commit, working tree included. */
function changesSince(pkg, base) {
  const tracked = git(["diff", "--name-only", base, "--", pkg.rel, "tsup.base.ts"]).stdout;
  const untracked = git(["ls-files", "--others", "--exclude-standard", "--", pkg.rel]).stdout;
  const changed = new Set();
  for (const file of `${tracked}\n${untracked}`.split("\n").filter(Boolean)) {
    if (file === "tsup.base.ts") {
      changed.add(file);
      continue;
    }
    const rel = file.slice(pkg.rel.length + 1);
    if (isReleaseRelevant(rel)) changed.add(file);
  }
  const manifestPath = `${pkg.rel}/package.json`;
  const before = publishedView(
    gitOk(["show", `${base}:${manifestPath}`]),
    gitOk(["show", `${base}:pnpm-workspace.yaml`]),
  );
  const now = publishedView(
    readFileSync(join(root, manifestPath), "utf8"),
    readFileSync(join(root, "pnpm-workspace.yaml"), "utf8"),
  );
  if (before !== now) changed.add(`${manifestPath} (published fields or catalog ranges)`);
  return [...changed].sort();
}

/** The last release of a package: { base, how } or null when never released. */
function lastRelease(pkg) {
  const tag = `${pkg.name}@${pkg.version}`;
  if (gitOk(["rev-parse", "-q", "--verify", `refs/tags/${tag}^{commit}`]) !== null) {
    return { base: `refs/tags/${tag}`, how: `tag ${tag}` };
  }
  const changelog = join(pkg.dir, "CHANGELOG.md");
  if (
    existsSync(changelog) &&
    new RegExp(`^## ${pkg.version.replaceAll(".", "\\.")}\\s*$`, "m").test(
      readFileSync(changelog, "utf8"),
    )
  ) {
    const dirty = git(["status", "--porcelain", "--", `${pkg.rel}/CHANGELOG.md`]).stdout.trim();
    const commit = gitOk(["log", "-1", "--format=%H", "--", `${pkg.rel}/CHANGELOG.md`]);
    if (dirty === "" && commit) {
      return {
        base: commit,
        how: `versioned ${pkg.version} in ${commit.slice(0, 9)} (no tag)`,
      };
    }
    return { base: null, how: `being versioned to ${pkg.version} (uncommitted CHANGELOG.md)` };
  }
  return null;
}

const packages = publishedPackages();
const names = new Set(packages.map((p) => p.name));
const changesets = readChangesets(root);
for (const cs of changesets) {
  for (const p of cs.problems) problems.push(`${cs.file}: ${p}`);
  if (cs.releases.length === 0 && cs.problems.length === 0) {
    lines.push(`${cs.file}: empty changeset (no package is released by it)`);
  }
  for (const r of cs.releases) {
    if (!names.has(r.name)) {
      problems.push(
        `${cs.file}: "${r.name}" is not a published package (${[...names].join(", ")})`,
      );
    }
  }
  if (cs.releases.length > 0 && cs.summary === "") {
    problems.push(`${cs.file}: has no summary; describe the change for users`);
  }
}
const pendingFor = (name) => changesets.filter((cs) => cs.releases.some((r) => r.name === name));

if (!hasGit()) {
  console.warn("check-changesets: not a git work tree; only the changeset files were checked");
} else {
  const shallow = gitOk(["rev-parse", "--is-shallow-repository"]) === "true";
  for (const pkg of packages) {
    const release = lastRelease(pkg);
    const pending = pendingFor(pkg.name);
    const named = pending.map((cs) => cs.file).join(", ");
    if (release === null) {
      if (pending.length === 0) {
        problems.push(
          `${pkg.name}: never released (no tag ${pkg.name}@${pkg.version}) and no pending changeset names it; run \`pnpm changeset\` and pick ${pkg.name}`,
        );
      } else {
        lines.push(`${pkg.name}: first release pending (${named})`);
      }
      continue;
    }
    const changed = release.base === null ? [] : changesSince(pkg, release.base);
    if (changed.length > 0 && pending.length === 0) {
      problems.push(
        `${pkg.name}: changed since ${release.how} without a changeset: ${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ", …" : ""}; run \`pnpm changeset\` and pick ${pkg.name}`,
      );
    } else {
      lines.push(
        `${pkg.name}: ${changed.length} changed file(s) since ${release.how}${pending.length ? `; pending: ${named}` : ""}`,
      );
      if (verbose) for (const f of changed) lines.push(`    ${f}`);
    }
  }

  if (baseRef !== undefined) {
    const mergeBase = gitOk(["merge-base", baseRef, "HEAD"]);
    if (mergeBase === null) {
      problems.push(`--base ${baseRef}: no merge base with HEAD (fetch it, with enough history)`);
    } else {
      const added = git(["diff", "--name-only", "--diff-filter=AM", mergeBase, "--", ".changeset"])
        .stdout.split("\n")
        .concat(
          git(["ls-files", "--others", "--exclude-standard", "--", ".changeset"]).stdout.split(
            "\n",
          ),
        )
        .filter((f) => f.endsWith(".md") && !f.endsWith("README.md"));
      for (const pkg of packages) {
        const changed = changesSince(pkg, mergeBase);
        const covered = changesets.some(
          (cs) => added.includes(cs.file) && cs.releases.some((r) => r.name === pkg.name),
        );
        if (changed.length > 0 && !covered) {
          problems.push(
            `${pkg.name}: changed since ${baseRef} (${changed[0]}${changed.length > 1 ? ", …" : ""}) and no changeset added on this branch names it; run \`pnpm changeset\``,
          );
        }
      }
      lines.push(`compared with merge base ${mergeBase.slice(0, 9)} of ${baseRef}`);
    }
  }
  if (shallow) {
    lines.push("note: shallow clone; release tags may be missing (fetch with full history)");
  }
}

for (const line of lines) console.log(`check-changesets: ${line}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`check-changesets: ${p}`);
  console.error(
    `check-changesets: ${problems.length} problem(s); see CONTRIBUTING.md "Changesets and releases"`,
  );
  process.exit(1);
}
console.log(`check-changesets: ok (${changesets.length} pending changeset(s))`);
