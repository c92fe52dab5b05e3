/**
 * Matching a server against the user's deny list (user config `denyList`):
 * a matching server is untrusted (level 4) and never starts.
 */

import { realpathSync } from "node:fs";
import { isPathLikeCommand } from "@mcpward/core";
import { commandName } from "./command-name.js";
import { launchedPackage, splitPackageSpec } from "./official-servers.js";

/** What a deny-list entry is compared with. */
export interface DenyListSubject {
  command: string;
  args: readonly string[];
  /** Real path of the executable, when found. */
  executable: string | null;
  /** Real path of the script, when there is one. */
  script: string | null;
}

/**
 * The first deny-list entry that matches, or null. A bare name matches the
 * command's program name (`python3` also matches `/usr/bin/python3`), the
 * resolved executable's program name, or, for package runners (npx, pnpm
 * dlx, …), a package given to them (`@evil/mcp` matches `@evil/mcp@1.0.0`).
 * A path matches the command as given or the real path of the executable or
 * script (the entry's own symlinks resolved). Comparison ignores case: a
 * deny list only tightens.
 */
export function denyListMatch(
  denyList: readonly string[],
  subject: DenyListSubject,
): string | null {
  const names = new Set([commandName(subject.command)]);
  const paths = new Set([subject.command.toLowerCase()]);
  if (subject.executable !== null) {
    names.add(commandName(subject.executable));
    paths.add(subject.executable.toLowerCase());
  }
  if (subject.script !== null) paths.add(subject.script.toLowerCase());
  const launched = launchedPackage(subject.command, subject.args);
  for (const token of launched?.rest ?? []) names.add(splitPackageSpec(token).name.toLowerCase());

  for (const entry of denyList) {
    const trimmed = entry.trim();
    if (trimmed === "") continue;
    if (!isPathLikeCommand(trimmed) || trimmed.startsWith("@")) {
      if (names.has(trimmed.toLowerCase()) || names.has(commandName(trimmed))) return entry;
      continue;
    }
    const forms = [trimmed.toLowerCase()];
    try {
      forms.push(realpathSync(trimmed).toLowerCase());
    } catch {
      // An entry for a path that does not exist still matches as written.
    }
    if (forms.some((form) => paths.has(form))) return entry;
  }
  return null;
}
