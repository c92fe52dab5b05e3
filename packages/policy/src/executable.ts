/**
 * Finding the file a command would run, the way execvp(3) does, and judging
 * whether it and the way it was found can be trusted.
 */

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { isPathLikeCommand } from "@mcpward/core";
import { type FileProblem, inspectFile } from "./file-checks.js";

/** glibc's search path when PATH is unset. */
const DEFAULT_PATH = "/bin:/usr/bin";

/** Where {@link resolveExecutable} looks. */
export interface ExecutableLookupOptions {
  /** Directory that relative paths (and empty PATH entries) resolve against. */
  cwd: string;
  /** The PATH value to search; undefined means unset (execvp's default, `/bin:/usr/bin`). */
  path: string | undefined;
}

/** Result of {@link resolveExecutable}. */
export interface ExecutableResolution {
  /** Absolute real path of the file that would run, or null when none was found. */
  executable: string | null;
  /** `explicit-path` when the command contains a `/`, else `path-lookup`. */
  via: "path-lookup" | "explicit-path";
  /** The PATH entry (as written) the command was found in, or null. */
  pathEntry: string | null;
  /** Everything wrong with the file or the way it was found; empty when all is well. */
  problems: FileProblem[];
}

/**
 * Resolves a server command to the real path of the file that would run and
 * checks it: it exists, is a regular executable file owned by the user or
 * root, not writable by group or others, and not in a world-writable
 * directory (a sticky /tmp counts). A bare name is searched on `path` like
 * execvp: entries in order, skipping files that are not executable; finding
 * it through a relative or empty entry (`""`, `.`, `bin`) or a
 * world-writable entry is a problem.
 *
 * @param command - the command as given (bare name or path)
 * @returns the resolution; never throws for a missing or odd file
 */
export function resolveExecutable(
  command: string,
  options: ExecutableLookupOptions,
): ExecutableResolution {
  if (command === "") {
    return {
      executable: null,
      via: "path-lookup",
      pathEntry: null,
      problems: [{ rule: "file.not-found", detail: "the command is empty", severity: "unusable" }],
    };
  }
  if (isPathLikeCommand(command)) {
    const inspection = inspectFile(resolve(options.cwd, command), "executable");
    return {
      executable: inspection.realPath,
      via: "explicit-path",
      pathEntry: null,
      problems: inspection.problems,
    };
  }
  const entries = (options.path ?? DEFAULT_PATH).split(delimiter);
  let notExecutable: string | null = null;
  for (const entry of entries) {
    const candidate = join(resolve(options.cwd, entry), command);
    const kind = candidateKind(candidate);
    if (kind === "missing") continue;
    if (kind === "not-executable") {
      notExecutable ??= candidate;
      continue;
    }
    const inspection = inspectFile(candidate, "executable");
    return {
      executable: inspection.realPath,
      via: "path-lookup",
      pathEntry: entry,
      problems: [...entryProblems(entry, options.cwd, command), ...inspection.problems],
    };
  }
  const detail =
    notExecutable === null
      ? `command ${command} was not found on PATH`
      : `command ${command} was found at ${notExecutable}, which is not executable`;
  return {
    executable: null,
    via: "path-lookup",
    pathEntry: null,
    problems: [
      {
        rule: notExecutable === null ? "file.not-found" : "file.not-executable",
        detail,
        severity: "unusable",
      },
    ],
  };
}

/** What execvp would make of one candidate: run it, skip it, or note EACCES and go on. */
function candidateKind(candidate: string): "missing" | "not-executable" | "file" {
  let isFile: boolean;
  try {
    isFile = statSync(candidate).isFile();
  } catch {
    return "missing";
  }
  if (!isFile) return "missing";
  try {
    accessSync(candidate, constants.X_OK);
  } catch {
    return "not-executable";
  }
  // root passes X_OK for any file; execvp then fails on a file without x bits.
  return (statSync(candidate).mode & 0o111) === 0 ? "not-executable" : "file";
}

function entryProblems(entry: string, cwd: string, command: string): FileProblem[] {
  if (!isAbsolute(entry)) {
    const shown =
      entry === "" ? "an empty PATH entry (the current directory)" : `PATH entry "${entry}"`;
    return [
      {
        rule: "path.relative-entry",
        detail: `${command} was found through ${shown}, which depends on the current directory`,
        severity: "untrusted",
      },
    ];
  }
  try {
    if ((statSync(resolve(cwd, entry)).mode & 0o002) !== 0) {
      return [
        {
          rule: "path.world-writable-entry",
          detail: `${command} was found through PATH entry ${entry}, which every user can write to`,
          severity: "untrusted",
        },
      ];
    }
  } catch {
    // The entry held the command a moment ago; if it is gone now, the file checks say so.
  }
  return [];
}
