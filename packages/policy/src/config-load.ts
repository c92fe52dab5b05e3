/**
 * Loading both config files and the view for one profile: the project's
 * `mcpward.config.json` and the user's `<configRoot>/config.json`.
 */

import { realpathSync } from "node:fs";
import { join } from "node:path";
import { configRoot, isSecretKey, redactSecrets } from "@mcpward/core";
import { configError, formatJsonPath, type JsonPath } from "./config-error.js";
import { literalText } from "./config-expand.js";
import { readConfigFile } from "./config-file.js";
import type { EffectiveRules } from "./config-rules.js";
import type { ProjectConfig, ServerConfig, UserConfig } from "./config-schema.js";
import {
  commandLineRules,
  listNamedServers,
  type NamedServerSummary,
  profileNames,
  rememberEnv,
} from "./profiles.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Name of the project config file, in the project directory. */
export const PROJECT_CONFIG_FILE = "mcpward.config.json";

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The project directory (usually the current directory). */
  projectDir: string;
  /** The caller's environment: config dir, `MCPWARD_PROFILE`, `${VAR}` values. */
  env?: Env;
  /** `--profile <name>`; beats `MCPWARD_PROFILE` and `defaultProfile`. */
  profile?: string | undefined;
}

/** The merged view for the chosen profile. */
export interface MergedConfig {
  profile: string | null;
  /** Rules for a server named on the command line (not from config). */
  rules: EffectiveRules;
  /** Servers `mcpward -s <name>` can run in this profile. */
  servers: NamedServerSummary[];
  /** From the user config only. */
  denyList: string[];
}

/** Both config files, validated, and the view for one profile. */
export interface LoadedConfig {
  /** Real path of the project directory. */
  projectDir: string;
  project: ProjectConfig | null;
  user: UserConfig | null;
  /** Paths of the files that exist (null when absent). */
  files: { project: string | null; user: string | null };
  /** The chosen profile, or null. */
  profile: string | null;
  /** Every profile name defined, sorted. */
  profiles: string[];
  merged: MergedConfig;
  /** Problems worth telling the user that are not errors (for the caller to print). */
  warnings: string[];
}

/**
 * Values that look like credentials: a secret-named variable written out in
 * full (not `Bearer ${TOKEN}`), a token shape, a URL with a password.
 */
function looksSecret(name: string | null, template: string, literal: string): boolean {
  if (literal.trim() === "") return false;
  if (name !== null && isSecretKey(name) && literal === template.replaceAll("$$", "$")) return true;
  return redactSecrets(literal) !== literal || /:\/\/[^\s/@]*:[^\s/@]+@/.test(literal);
}

/**
 * Checks every template in a file (a bad `$` is an error at load time, not
 * when the server is first used) and finds literal secrets.
 *
 * @returns the JSON path of the first value that looks like a secret, if any
 */
function scanTemplates(file: string, config: ProjectConfig | UserConfig): JsonPath | null {
  let secret: JsonPath | null = null;
  const scan = (servers: Record<string, ServerConfig> | undefined, base: JsonPath): void => {
    for (const [name, server] of Object.entries(servers ?? {})) {
      server.args?.forEach((arg, i) => {
        const path = [...base, name, "args", i];
        if (looksSecret(null, arg, literalText(arg, { file, path })) && secret === null) {
          secret = path;
        }
      });
      for (const [key, value] of Object.entries(server.env ?? {})) {
        const path = [...base, name, "env", key];
        if (looksSecret(key, value, literalText(value, { file, path })) && secret === null) {
          secret = path;
        }
      }
    }
  };
  scan(config.servers, ["servers"]);
  for (const [name, profile] of Object.entries(config.profiles ?? {})) {
    scan(profile.servers, ["profiles", name, "servers"]);
  }
  return secret;
}

function secretWarning(file: string, mode: number, path: JsonPath | null): string | null {
  if (path === null || (mode & 0o044) === 0) return null;
  return `${file} is readable by other users and ${formatJsonPath(path)} looks like a secret: reference it as \${VAR} from your environment, or run \`chmod 600 ${file}\``;
}

function chooseProfile(
  explicit: string | undefined,
  env: Env,
  user: UserConfig | null,
  known: string[],
  userFile: string | null,
  warnings: string[],
): string | null {
  const source =
    explicit !== undefined
      ? { name: explicit, from: "--profile" }
      : env.MCPWARD_PROFILE !== undefined && env.MCPWARD_PROFILE !== ""
        ? { name: env.MCPWARD_PROFILE, from: "MCPWARD_PROFILE" }
        : user?.defaultProfile !== undefined
          ? { name: user.defaultProfile, from: "defaultProfile" }
          : null;
  if (source === null || known.includes(source.name)) return source?.name ?? null;
  if (source.from === "defaultProfile") {
    // A default set for all projects need not exist in each one.
    warnings.push(
      `${userFile}: defaultProfile "${source.name}" is not defined for this project; running without a profile`,
    );
    return null;
  }
  const list = known.length > 0 ? `known profiles: ${known.join(", ")}` : "no profiles are defined";
  throw configError(
    source.from,
    null,
    `unknown profile "${source.name}"`,
    `${list}; declare it under "profiles" in ${PROJECT_CONFIG_FILE} or your user config`,
  );
}

/**
 * Loads the project and user config files and merges them for a profile.
 * Trust is never read from either.
 *
 * @throws McpwardError `BAD_CONFIG` (exit 2) naming the file, the JSON path
 *   and the fix, in one line
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const env = options.env ?? process.env;
  let projectDir: string;
  try {
    projectDir = realpathSync(options.projectDir);
  } catch (error) {
    throw configError(options.projectDir, null, "project directory not found", "cd into it", error);
  }
  const project = readConfigFile(join(projectDir, PROJECT_CONFIG_FILE), "project", projectDir);
  const user = readConfigFile(join(configRoot(env), "config.json"), "user");
  const warnings: string[] = [];
  for (const found of [project, user]) {
    if (found === null) continue;
    const warning = secretWarning(found.file, found.mode, scanTemplates(found.file, found.config));
    if (warning !== null) warnings.push(warning);
  }
  const base = { project: project?.config ?? null, user: user?.config ?? null };
  const profiles = profileNames(base);
  const profile = chooseProfile(
    options.profile,
    env,
    base.user,
    profiles,
    user?.file ?? null,
    warnings,
  );
  const loaded: LoadedConfig = {
    projectDir,
    ...base,
    files: { project: project?.file ?? null, user: user?.file ?? null },
    profile,
    profiles,
    merged: { profile, rules: undefined as never, servers: [], denyList: [] },
    warnings,
  };
  rememberEnv(loaded, env);
  loaded.merged = {
    profile,
    rules: commandLineRules(loaded, profile),
    servers: listNamedServers(loaded, profile),
    denyList: [...(base.user?.denyList ?? [])],
  };
  return loaded;
}
