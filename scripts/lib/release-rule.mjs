// The version bumps changesets makes, as documented (see release-dry-run.mjs):
// named packages get their bump; a package depending on one through
// `workspace:^` gets a patch when the new version leaves `^<old version>`.
// The dry run checks changesets against this, so a change in changesets'
// behaviour (or in our config) shows up as a failing check.

function parse(v) {
  return v.split("-")[0].split(".").map(Number);
}

/** The version after a bump (plain x.y.z; a major of 0.x goes to 1.0.0, as in changesets). */
export function increment(version, type) {
  const [major, minor, patch] = parse(version);
  if (type === "major") return `${major + 1}.0.0`;
  if (type === "minor") return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** semver `^base` satisfied by `version` (plain x.y.z versions only). */
export function caretSatisfies(version, base) {
  const [a, b, c] = parse(version);
  const [x, y, z] = parse(base);
  if (a !== x) return false;
  if (x > 0) return b > y || (b === y && c >= z);
  if (y > 0) return b === y && c >= z;
  return b === 0 && c === z;
}

/** The versions the rule predicts for changesets naming `named` ({ name: type }). */
export function expectedPlan(current, named) {
  const release = new Map(Object.entries(named));
  const queue = [...release.keys()];
  while (queue.length > 0) {
    const dep = queue.shift();
    const oldVersion = current.get(dep).version;
    const next = increment(oldVersion, release.get(dep));
    for (const [name, { manifest }] of current) {
      if (release.has(name)) continue;
      const range = { ...manifest.dependencies, ...manifest.peerDependencies }[dep];
      if (range === "workspace:^" && !caretSatisfies(next, oldVersion)) {
        release.set(name, "patch");
        queue.push(name);
      }
    }
  }
  const plan = new Map();
  for (const [name, type] of release) plan.set(name, increment(current.get(name).version, type));
  return plan;
}
