#!/usr/bin/env node
// Release dry run: runs `changeset version` on a temporary copy of the
// repository (tracked and untracked files, node_modules linked, never the
// work tree itself) and shows which packages would be bumped, to which
// versions, and which changelogs would be written.
//
//   node scripts/release-dry-run.mjs          the pending changesets
//   node scripts/release-dry-run.mjs --check  also proves, on the copy, that a
//       release bumps exactly the packages that changed (and their dependents
//       by the configured rule), and that check-changesets follows releases
//
// The rule (changesets 2, `updateInternalDependencies: "patch"`, internal
// ranges `workspace:^`): a package is bumped when a changeset names it. A
// package that depends on a bumped one is bumped too (patch) only when the
// new version leaves its range, `^<old version>`: a patch or minor of a 1.x
// dependency stays in range, a minor of a 0.x one (0.1.0 -> 0.2.0) does not,
// and at 0.0.x every bump leaves the range. The files keep `workspace:^`
// (the check asserts it); pnpm turns it into `^<current version>` when it
// packs, so every released package asks for the internal versions of its
// release, which is what `updateInternalDependencies: "patch"` aims at.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expectedPlan } from "./lib/release-rule.mjs";
import { exec, publishedPackages, readJson, root } from "./lib/workspace.mjs";

const check = process.argv.includes("--check");
const keep = process.argv.includes("--keep");
const changesetBin = join(root, "node_modules", "@changesets", "cli", "bin.js");
const IDENTITY = ["-c", "user.name=release dry run", "-c", "user.email=dry-run@localhost"];

/** Copies the repository's tracked and untracked (not ignored) files into a new temp dir. */
function copyRepo() {
  const dir = mkdtempSync(join(tmpdir(), "mcpward-release-"));
  const listed = exec("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
  }).stdout;
  for (const file of listed.split("\0").filter(Boolean)) {
    const from = join(root, file);
    if (!existsSync(from)) continue; // deleted in the work tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(from, join(dir, file));
  }
  // changesets loads its changelog module from the copy's node_modules.
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  const git = (args) => exec("git", [...IDENTITY, ...args], { cwd: dir });
  git(["init", "-q", "-b", "main"]);
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "copy of the work tree", "--no-verify"]);
  return { dir, git };
}

/** Published packages of a directory: name -> { version, rel, manifest }. */
function versionsIn(dir) {
  const map = new Map();
  for (const pkg of publishedPackages()) {
    const manifest = readJson(join(dir, pkg.rel, "package.json"));
    map.set(pkg.name, { version: manifest.version, rel: pkg.rel, manifest });
  }
  return map;
}

function runVersion(dir) {
  return exec(process.execPath, [changesetBin, "version"], { cwd: dir, timeoutMs: 120_000 });
}

/** Bumps between two version maps, with the changelog state of each package. */
function bumps(dir, before, after) {
  const list = [];
  for (const [name, { version, rel }] of after) {
    const old = before.get(name).version;
    if (old !== version) {
      const changelog = join(dir, rel, "CHANGELOG.md");
      const written =
        existsSync(changelog) && readFileSync(changelog, "utf8").includes(`\n## ${version}\n`);
      list.push({ name, from: old, to: version, changelog: written });
    }
  }
  return list;
}

function printBumps(title, list, all) {
  console.log(`release-dry-run: ${title}`);
  for (const name of all.keys()) {
    const b = list.find((x) => x.name === name);
    console.log(
      b
        ? `  ${name.padEnd(18)} ${b.from} -> ${b.to}${b.changelog ? "  (CHANGELOG.md entry)" : ""}`
        : `  ${name.padEnd(18)} ${all.get(name).version} (unchanged)`,
    );
  }
}

// --- Scenarios -----------------------------------------------------------------

function writeChangeset(dir, id, named) {
  const front = Object.entries(named)
    .map(([n, t]) => `"${n}": ${t}`)
    .join("\n");
  writeFileSync(join(dir, ".changeset", `${id}.md`), `---\n${front}\n---\n\nDry run: ${id}.\n`);
}

function assertPlan(title, dir, before, named) {
  const expected = expectedPlan(before, named);
  runVersion(dir);
  const after = versionsIn(dir);
  const got = bumps(dir, before, after);
  printBumps(`${title}: ${JSON.stringify(named)}`, got, after);
  const problems = [];
  for (const [name] of after) {
    const want = expected.get(name) ?? before.get(name).version;
    const have = after.get(name).version;
    if (want !== have) problems.push(`${name}: expected ${want}, changesets wrote ${have}`);
    const internal = Object.entries(after.get(name).manifest.dependencies ?? {}).filter(([n]) =>
      n.startsWith("@mcpward/"),
    );
    for (const [dep, range] of internal) {
      if (range !== "workspace:^") problems.push(`${name}: ${dep} became "${range}"`);
    }
    const b = got.find((x) => x.name === name);
    if (b && !b.changelog) problems.push(`${name}: bumped without a CHANGELOG.md entry`);
  }
  if (problems.length > 0) {
    throw new Error(`release-dry-run: ${title}:\n  ${problems.join("\n  ")}`);
  }
  return after;
}

function checkChangesets(dir) {
  return exec(process.execPath, [join(dir, "scripts", "check-changesets.mjs")], {
    cwd: dir,
    allowFailure: true,
  });
}

function runChecks(dir, git) {
  // 1. The pending changesets, as a real release would apply them.
  const start = versionsIn(dir);
  const pending = exec("git", ["ls-files", ".changeset/*.md"], { cwd: dir })
    .stdout.split("\n")
    .filter((f) => f && !f.endsWith("README.md"));
  console.log(`release-dry-run: --check on ${dir}`);
  if (pending.length > 0) {
    runVersion(dir);
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "Version packages", "--no-verify"]);
    // Between `changeset version` and the publish there are no tags yet: the
    // version commit is the baseline, and a later change still needs a changeset.
    const versioned = checkChangesets(dir);
    if (versioned.status !== 0) {
      throw new Error(`check-changesets on the version commit:\n${versioned.stderr}`);
    }
    const coreRel = versionsIn(dir).get("@mcpward/core").rel;
    writeFileSync(join(dir, coreRel, "src", "dry-run-change.ts"), "export const changed = 1;\n");
    const unpublished = checkChangesets(dir);
    if (
      unpublished.status === 0 ||
      !unpublished.stderr.includes("@mcpward/core: changed since versioned")
    ) {
      throw new Error(
        `check-changesets missed a change after the version commit:\n${unpublished.stdout}${unpublished.stderr}`,
      );
    }
    rmSync(join(dir, coreRel, "src", "dry-run-change.ts"));
  }
  // Tag every package as `changeset publish` would, so later scenarios start
  // from a released state.
  const released = versionsIn(dir);
  for (const [name, { version }] of released) git(["tag", `${name}@${version}`]);
  printBumps(
    "after the pending changesets (the first release)",
    bumps(dir, start, released),
    released,
  );
  git(["tag", "released"]);

  const scenarios = [
    ["core patch", { "@mcpward/core": "patch" }],
    ["core minor", { "@mcpward/core": "minor" }],
    ["core major", { "@mcpward/core": "major" }],
    ["policy minor", { "@mcpward/policy": "minor" }],
    ["cli patch", { "@mcpward/cli": "patch" }],
    ["daemon and cli patch", { "@mcpward/daemon": "patch", "@mcpward/cli": "patch" }],
  ];
  for (const [title, named] of scenarios) {
    git(["reset", "-q", "--hard", "released"]);
    git(["clean", "-qfd"]);
    writeChangeset(dir, title.replaceAll(" ", "-"), named);
    assertPlan(title, dir, released, named);
  }

  // 2. check-changesets follows releases: clean after a release, fails on a
  // source change without a changeset, passes once one is added.
  git(["reset", "-q", "--hard", "released"]);
  git(["clean", "-qfd"]);
  const clean = checkChangesets(dir);
  if (clean.status !== 0) throw new Error(`check-changesets after a release:\n${clean.stderr}`);
  const core = released.get("@mcpward/core").rel;
  writeFileSync(join(dir, core, "src", "dry-run-change.ts"), "export const changed = 1;\n");
  writeFileSync(join(dir, core, "src", "dry-run-change.test.ts"), "// a test only\n");
  const missing = checkChangesets(dir);
  if (missing.status === 0 || !missing.stderr.includes("@mcpward/core: changed since tag")) {
    throw new Error(`check-changesets missed a core change:\n${missing.stdout}${missing.stderr}`);
  }
  if (missing.stderr.includes("@mcpward/daemon")) {
    throw new Error(`check-changesets blamed an unchanged package:\n${missing.stderr}`);
  }
  writeChangeset(dir, "core-change", { "@mcpward/core": "patch" });
  const fixed = checkChangesets(dir);
  if (fixed.status !== 0) throw new Error(`check-changesets with a changeset:\n${fixed.stderr}`);
  rmSync(join(dir, core, "src", "dry-run-change.ts"));
  rmSync(join(dir, ".changeset", "core-change.md"));
  const testOnly = checkChangesets(dir);
  if (testOnly.status !== 0)
    throw new Error(`a test-only change needed a changeset:\n${testOnly.stderr}`);
  console.log(
    "release-dry-run: check-changesets: clean after version and after release, fails on an uncovered src change, passes with a changeset, ignores tests",
  );
}

const { dir, git } = copyRepo();
try {
  if (check) {
    runChecks(dir, git);
    console.log("release-dry-run: every scenario bumped exactly the expected packages");
  } else {
    const before = versionsIn(dir);
    runVersion(dir);
    const after = versionsIn(dir);
    printBumps("pending changesets would release", bumps(dir, before, after), after);
    const diff = exec("git", ["status", "--short"], { cwd: dir }).stdout.trim();
    console.log(`release-dry-run: files changesets would change:\n${diff || "  (none)"}`);
  }
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`release-dry-run: kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
