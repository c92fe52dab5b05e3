// Reading pending changesets (.changeset/*.md) without the changesets API, so
// the checks stay fast and their errors say exactly which file is wrong.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const BUMPS = new Set(["major", "minor", "patch", "none"]);

/**
 * Parses one changeset file.
 *
 * @returns { releases: [{ name, type }], summary, problems: string[] }
 */
export function parseChangeset(text) {
  const problems = [];
  const match = /^---\r?\n([\s\S]*?)\r?\n?---\r?\n?([\s\S]*)$/.exec(text.replace(/^\uFEFF/, ""));
  if (!match) return { releases: [], summary: "", problems: ["no --- front matter"] };
  const releases = [];
  for (const raw of match[1].split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(["']?)(@?[^"':\s]+)\1\s*:\s*(["']?)([a-z]+)\3$/.exec(line);
    if (!m) {
      problems.push(`cannot read front matter line ${JSON.stringify(line)}`);
      continue;
    }
    if (!BUMPS.has(m[4])) problems.push(`"${m[2]}": "${m[4]}" is not major, minor or patch`);
    releases.push({ name: m[2], type: m[4] });
  }
  const summary = match[2].trim();
  return { releases, summary, problems };
}

/**
 * Every pending changeset in a repository.
 *
 * @returns [{ file, id, releases, summary, problems }]
 */
export function readChangesets(repoRoot) {
  const dir = join(repoRoot, ".changeset");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f !== "README.md")
    .sort()
    .map((f) => ({
      file: `.changeset/${f}`,
      id: f.replace(/\.md$/, ""),
      ...parseChangeset(readFileSync(join(dir, f), "utf8")),
    }));
}
