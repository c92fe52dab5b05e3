/**
 * The name a program is recognised by in the rules: `/usr/bin/python3.12`,
 * `PYTHON3.EXE` and `python` are all `python`.
 */

/** Versioned names that are one program to the rules (`python3.12`, `ruby3.2`, `php8.3`). */
const VERSIONED = /^(python|pypy|ruby|perl|php|lua|node)[\d.]*w?$/;

const ALIASES: ReadonlyMap<string, string> = new Map([
  ["nodejs", "node"],
  ["pypy", "python"],
  ["ts-node-esm", "ts-node"],
  ["ts-node-script", "ts-node"],
  ["gawk", "awk"],
  ["mawk", "awk"],
  ["nawk", "awk"],
  ["busybox-sh", "sh"],
]);

/**
 * Lower-case base name without `.exe`/`.cmd`/`.bat` and without a version
 * suffix. Lower case because on case-insensitive file systems `Bash` runs
 * bash: a rule that tightens must not be dodged by capitals.
 */
export function commandName(command: string): string {
  const base = command.slice(Math.max(command.lastIndexOf("/"), command.lastIndexOf("\\")) + 1);
  const name = base.toLowerCase().replace(/\.(?:exe|cmd|bat)$/, "");
  const versioned = VERSIONED.exec(name);
  const stem = versioned?.[1] ?? name;
  return ALIASES.get(stem) ?? stem;
}
