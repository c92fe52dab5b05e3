/**
 * Trust levels: how much mcpward trusts a server before it starts, from the
 * command line and the files it would run. 1 built-in, 2 project,
 * 3 third-party, 4 untrusted; the first level-4 finding wins over anything
 * else, then level 1, then level 2.
 */

import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { commandName } from "./command-name.js";
import { shellMetacharacters } from "./command-rules.js";
import { denyListMatch } from "./deny-list.js";
import { type ExecutableResolution, resolveExecutable } from "./executable.js";
import { currentUid, type FileProblem, inspectFile } from "./file-checks.js";
import { officialPackage, officialPackageOverride } from "./official-servers.js";
import { isInside } from "./path-inside.js";
import type { Decision, TrustLevel } from "./policy.js";
import { envFileArguments, preloadedModules, scriptArgument } from "./script-argument.js";

/** What {@link classifyServer} looks at. */
export interface ClassifyServerInput {
  command: string;
  args: readonly string[];
  /** Names of the variables given explicitly (after `--` or in config). */
  envNames: readonly string[];
  /** The project directory (resolved to its real path here). */
  projectDir: string;
  /** The server's working directory: relative command and script paths resolve against it. */
  cwd: string;
  /** The PATH the command is looked up on (the caller's; undefined when unset). */
  pathValue: string | undefined;
  /** The user's deny list: command names, paths or package names. */
  denyList?: readonly string[] | undefined;
  /** True when the server comes from the project config and the user approved it in the trust store. */
  configApproved?: boolean | undefined;
}

/** The level and everything that led to it. */
export interface TrustClassification {
  level: TrustLevel;
  /** Each rule's finding, `"<rule>: <detail>"`, deciding ones first. */
  reasons: string[];
  /** Real path of the executable, or null when not found. */
  executable: string | null;
  /** Real path of the script an interpreter would run, or null. */
  script: string | null;
  /**
   * Real paths of the files the interpreter preloads (`node -r ./setup.js`,
   * `--import`, `--loader`), checked like the script; empty for none.
   */
  modules: string[];
  /**
   * Real paths of the env files the interpreter loads (`node --env-file=x.env`),
   * checked for who can change them like the script (not for being inside the
   * project: they are data); empty for none.
   */
  envFiles: string[];
}

function finding(problem: FileProblem): string {
  return `${problem.rule}: ${problem.detail}`;
}

/** A regular file this process can read (env files only: hashing the others fails loudly). */
function readable(inspection: { realPath: string | null; problems: FileProblem[] }): boolean {
  if (inspection.realPath === null) return false;
  if (inspection.problems.some((p) => p.severity === "unusable")) return false;
  try {
    accessSync(inspection.realPath, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function realDir(dir: string): string | null {
  try {
    return realpathSync(dir);
  } catch {
    return null;
  }
}

/**
 * Classifies a server before it starts (nothing is run).
 *
 * - 4 untrusted: shell metacharacters in the command; on the deny list; the
 *   executable or script in a world-writable directory (e.g. /tmp), owned by
 *   another user (not root), writable by group or others; the executable
 *   found through a relative or world-writable PATH entry.
 * - 1 built-in: an official reference server (see `OFFICIAL_SERVERS`) run
 *   through npx, pnpm dlx, yarn dlx, bunx, bun x or npm exec, with nothing
 *   that could substitute another package.
 * - 2 project: an executable named by path, or a script given to an
 *   interpreter, inside the project directory and owned by the user, and so
 *   is every module the interpreter preloads (`node -r`, `--import`); or a
 *   project-config server the user approved (`configApproved`).
 * - 3 third-party: everything else.
 */
export function classifyServer(input: ClassifyServerInput): TrustClassification {
  const untrusted: string[] = [];
  const notes: string[] = [];
  const resolution: ExecutableResolution = resolveExecutable(input.command, {
    cwd: input.cwd,
    path: input.pathValue,
  });
  const executable = resolution.executable;
  const metacharacters = shellMetacharacters(input.command);
  if (metacharacters.length > 0) {
    untrusted.push(
      `command.shell-metacharacters: command ${JSON.stringify(input.command)} contains ${metacharacters.map((c) => JSON.stringify(c)).join(", ")}`,
    );
  }
  for (const problem of resolution.problems) {
    (problem.severity === "untrusted" ? untrusted : notes).push(finding(problem));
  }

  const scriptText =
    scriptArgument(input.command, input.args) ??
    (executable === null ? null : scriptArgument(executable, input.args));
  let script: string | null = null;
  let scriptUid: number | null = null;
  let scriptClean = false;
  if (scriptText !== null) {
    const inspection = inspectFile(resolve(input.cwd, scriptText), "script");
    script = inspection.realPath;
    scriptUid = inspection.uid;
    scriptClean = inspection.problems.length === 0;
    for (const problem of inspection.problems) {
      (problem.severity === "untrusted" ? untrusted : notes).push(finding(problem));
    }
  }

  // Preloaded modules run before the script: `node -r /tmp/x.js ./server.js`
  // must not pass for a project server because the script is in the project.
  const fromCommand = preloadedModules(input.command, input.args);
  const moduleTexts =
    fromCommand.length > 0 || executable === null
      ? fromCommand
      : preloadedModules(executable, input.args);
  const moduleInspections = moduleTexts.map((text) => {
    let path = resolve(input.cwd, text);
    if (/^file:/i.test(text)) {
      try {
        path = fileURLToPath(text);
      } catch {
        // Not a local file URL: reported as not found below.
      }
    }
    const inspection = inspectFile(path, "module");
    for (const problem of inspection.problems) {
      (problem.severity === "untrusted" ? untrusted : notes).push(finding(problem));
    }
    return inspection;
  });
  const modules = moduleInspections.flatMap((m) => (m.realPath === null ? [] : [m.realPath]));

  // Env files set the server's variables (`checkEnvFiles` refuses blocked
  // ones): one in /tmp is as untrusted as a script there, and their content
  // counts in the content hash, so an approval does not cover a changed file.
  const fromCommandEnv = envFileArguments(input.command, input.args);
  const envTexts =
    fromCommandEnv.length > 0 || executable === null
      ? fromCommandEnv
      : envFileArguments(executable, input.args);
  const envFiles: string[] = [];
  for (const file of envTexts) {
    const path = resolve(input.cwd, file.path);
    if (file.optional && !existsSync(path)) continue;
    const inspection = inspectFile(path, "env file");
    for (const problem of inspection.problems) {
      (problem.severity === "untrusted" ? untrusted : notes).push(finding(problem));
    }
    if (inspection.realPath === null || !readable(inspection)) continue;
    if (!envFiles.includes(inspection.realPath)) envFiles.push(inspection.realPath);
  }

  const denied = denyListMatch(input.denyList ?? [], {
    command: input.command,
    args: input.args,
    executable,
    script,
  });
  if (denied !== null) {
    untrusted.unshift(`trust.deny-list: ${JSON.stringify(denied)} is on your deny list`);
  }
  const result = (level: TrustLevel, reasons: string[]): TrustClassification => ({
    level,
    reasons: [...reasons, ...notes],
    executable,
    script,
    modules,
    envFiles,
  });
  if (untrusted.length > 0) return result(4, untrusted);

  const official = officialPackage(input.command, input.args);
  const runnerClean = resolution.problems.length === 0;
  let officialNote: string | null = null;
  if (official !== null) {
    const override = officialPackageOverride(official, input.envNames, input.cwd);
    if (override === null && runnerClean) {
      return result(1, [
        `trust.built-in: ${official} is an official reference server, run through ${commandName(input.command)}`,
      ]);
    }
    officialNote = `trust.built-in: ${official} is an official reference server, but ${override ?? "the package runner could not be checked"}`;
  }

  const project = realDir(input.projectDir);
  const me = currentUid();
  const owned = (uid: number | null): boolean => me === null || uid === me;
  const modulesInProject = moduleInspections.every(
    (m) =>
      m.problems.length === 0 &&
      m.realPath !== null &&
      project !== null &&
      isInside(m.realPath, project) &&
      owned(m.uid),
  );
  if (project !== null && runnerClean && executable !== null && modulesInProject) {
    if (
      resolution.via === "explicit-path" &&
      isInside(executable, project) &&
      owned(statSync(executable).uid)
    ) {
      return result(2, [
        `trust.project: ${executable} is inside the project, owned by you and named explicitly`,
      ]);
    }
    if (script !== null && scriptClean && isInside(script, project) && owned(scriptUid)) {
      return result(2, [`trust.project: script ${script} is inside the project and owned by you`]);
    }
  }
  if (input.configApproved === true) {
    return result(2, ["trust.approved: declared in the project config and approved by you"]);
  }
  const reasons: string[] = [];
  if (officialNote !== null) reasons.push(officialNote);
  if (
    resolution.via === "path-lookup" &&
    executable !== null &&
    project !== null &&
    isInside(executable, project)
  ) {
    reasons.push(
      `trust.third-party: ${executable} is inside the project but was found on PATH; name it by path (./…) to make it a project server`,
    );
  }
  if (!modulesInProject) {
    reasons.push(
      `trust.third-party: a preloaded module is outside the project, not owned by you or unusable (${moduleTexts.join(", ")})`,
    );
  }
  reasons.push(
    `trust.third-party: ${input.command} is not an official reference server, a project file owned by you, or an approved config server`,
  );
  return result(3, reasons);
}

/**
 * The files whose content a trust approval covers: the executable, the
 * script, any preloaded modules and env files. Hash these with `hashExecutable`.
 */
export function codeFiles(classification: TrustClassification): string[] {
  return [
    classification.executable,
    classification.script,
    ...classification.modules,
    ...classification.envFiles,
  ].filter((path): path is string => path !== null);
}

/**
 * The start decision a classification implies: level 4 deny
 * (`trust.untrusted`), level 3 ask (`trust.third-party`) unless
 * `approved` (a remembered approval for this project, server identity and
 * executable content), levels 1–2 allow.
 */
export function decideTrust(classification: TrustClassification, approved = false): Decision {
  const first = classification.reasons[0] ?? "";
  switch (classification.level) {
    case 4:
      return {
        action: "deny",
        reason: `untrusted server (level 4): ${classification.reasons.join("; ")}`,
        rule: "trust.untrusted",
      };
    case 3:
      return approved
        ? {
            action: "allow",
            reason: "third-party server (level 3) you approved before",
            rule: "trust.third-party",
          }
        : {
            action: "ask",
            reason: `third-party server (level 3): the first start needs your approval (${first})`,
            rule: "trust.third-party",
          };
    case 2:
      return {
        action: "allow",
        reason: `project server (level 2): ${first}`,
        rule: "trust.project",
      };
    default:
      return {
        action: "allow",
        reason: `built-in server (level 1): ${first}`,
        rule: "trust.built-in",
      };
  }
}
