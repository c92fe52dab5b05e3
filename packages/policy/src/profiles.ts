/**
 * Profiles and named servers. A profile (say `dev` or `production`) adds
 * servers that exist only in it and rules that add to the global ones; it is
 * chosen with `--profile <name>`, else `MCPWARD_PROFILE`, else the user
 * config's `defaultProfile`. A named server is what `mcpward -s <name>` runs.
 */

import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { configError, formatJsonPath, type JsonPath } from "./config-error.js";
import { expandTemplate } from "./config-expand.js";
import type { LoadedConfig } from "./config-load.js";
import {
  type ConfigOrigin,
  type EffectiveRules,
  mergeRules,
  type RulesLayer,
  userSpecifier,
} from "./config-rules.js";
import type { ProjectConfig, RulesConfig, ServerConfig, UserConfig } from "./config-schema.js";

type Env = Readonly<Record<string, string | undefined>>;

/** A named server available in the chosen profile. */
export interface NamedServerSummary {
  name: string;
  origin: ConfigOrigin;
  file: string;
  /** Where it is declared, e.g. `servers.github` or `profiles.dev.servers.db`. */
  jsonPath: string;
}

/** A named server ready to start. */
export interface ResolvedServer extends NamedServerSummary {
  /** Profile it was resolved in, if any. */
  profile: string | null;
  /** As written: a relative path is taken from the project directory. */
  command: string;
  /** `${VAR}` expanded. */
  args: string[];
  /** `${VAR}` expanded (null prototype). Never log these values. */
  env: Record<string, string>;
  envPassthrough: string[];
  /** Seconds, when set in config. */
  timeouts: { tool?: number; startup?: number; idle?: number };
  rules: EffectiveRules;
  /**
   * SHA-256 over everything the project config says about this server (its
   * entry, global and profile rules, unexpanded). A project server runs only
   * once the user approved this hash, so any change asks again.
   */
  configHash: string;
  /** True for project-config servers: approval in the trust store is required. */
  needsApproval: boolean;
}

interface Source {
  origin: ConfigOrigin;
  file: string;
  config: ProjectConfig | UserConfig;
}

function sources(config: LoadedConfig): Source[] {
  const out: Source[] = [];
  if (config.user !== null && config.files.user !== null) {
    out.push({ origin: "user", file: config.files.user, config: config.user });
  }
  if (config.project !== null && config.files.project !== null) {
    out.push({ origin: "project", file: config.files.project, config: config.project });
  }
  return out;
}

function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function layerOf(source: Source, rules: RulesConfig): RulesLayer {
  const { tools, approval, roots, restartOnChange, memoryLimitMb } = rules;
  const policies =
    source.origin === "user"
      ? rules.policies?.map((s) => userSpecifier(s, dirname(source.file)))
      : rules.policies;
  return {
    origin: source.origin,
    file: source.file,
    rules: { tools, approval, roots, policies, restartOnChange, memoryLimitMb },
  };
}

/** Global layers, then each file's profile layer: least specific first. */
function layers(config: LoadedConfig, profile: string | null): RulesLayer[] {
  const all = sources(config);
  const out = all.map((source) => layerOf(source, source.config));
  if (profile !== null) {
    for (const source of all) {
      const entry = own(source.config.profiles, profile);
      if (entry !== undefined) out.push(layerOf(source, entry));
    }
  }
  return out;
}

/** Profile names defined in either file, sorted. */
export function profileNames(config: Pick<LoadedConfig, "project" | "user">): string[] {
  const names = new Set([
    ...Object.keys(config.user?.profiles ?? {}),
    ...Object.keys(config.project?.profiles ?? {}),
  ]);
  return [...names].sort();
}

/**
 * Rules for a server named on the command line: the project config may only
 * tighten them.
 */
export function commandLineRules(config: LoadedConfig, profile = config.profile): EffectiveRules {
  return mergeRules(layers(config, profile), null, config.projectDir, envOf(config));
}

interface Candidate extends NamedServerSummary {
  entry: ServerConfig;
  source: Source;
  path: JsonPath;
}

function candidates(config: LoadedConfig, profile: string | null): Candidate[] {
  const make = (source: Source, servers: ProjectConfig["servers"], base: JsonPath): Candidate[] =>
    Object.keys(servers ?? {}).map((name) => {
      const path = [...base, name];
      const entry = servers![name]!;
      const { origin, file } = source;
      return { name, origin, file, jsonPath: formatJsonPath(path), entry, source, path };
    });
  const all = sources(config);
  const inProfile =
    profile === null
      ? []
      : all.flatMap((s) =>
          make(s, own(s.config.profiles, profile)?.servers, ["profiles", profile, "servers"]),
        );
  // A profile's server replaces a global one of the same name in that profile.
  const shadowed = new Set(inProfile.map((c) => c.name));
  const global = all
    .flatMap((s) => make(s, s.config.servers, ["servers"]))
    .filter((c) => !shadowed.has(c.name));
  return [...inProfile, ...global];
}

/** The named servers available in a profile (default: the loaded one). */
export function listNamedServers(
  config: LoadedConfig,
  profile = config.profile,
): NamedServerSummary[] {
  return candidates(config, profile).map(({ name, origin, file, jsonPath }) => ({
    name,
    origin,
    file,
    jsonPath,
  }));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function configHash(config: LoadedConfig, profile: string | null, found: Candidate): string {
  const projectLayers = layers(config, profile)
    .filter((layer) => layer.origin === "project")
    .map((layer) => layer.rules);
  const digest = createHash("sha256")
    .update(canonical({ v: 1, name: found.name, entry: found.entry, layers: projectLayers }))
    .digest("hex");
  return `sha256:${digest}`;
}

/** The caller environment `loadConfig` was given (kept off the object so it never prints). */
const ENVS = new WeakMap<object, Env>();

/** Remembers the environment a config was loaded with. */
export function rememberEnv(config: LoadedConfig, env: Env): void {
  ENVS.set(config, env);
}

function envOf(config: LoadedConfig): Env {
  return ENVS.get(config) ?? process.env;
}

/**
 * Resolves a server by name in a profile: `${VAR}` references expanded from
 * the environment `loadConfig` was given, rules merged.
 *
 * @param profile - defaults to the profile the config was loaded for
 * @throws McpwardError `BAD_CONFIG` for an unknown name (with a hint), a name
 *   declared in both files, or a missing variable (naming it and its path)
 */
export function resolveNamedServer(
  config: LoadedConfig,
  name: string,
  profile: string | null = config.profile,
  env: Env = envOf(config),
): ResolvedServer {
  const known = profileNames(config);
  if (profile !== null && !known.includes(profile)) {
    throw configError(
      "profile",
      null,
      `unknown profile "${profile}"`,
      known.length > 0 ? `known profiles: ${known.join(", ")}` : "no profiles are defined",
    );
  }
  const matches = candidates(config, profile).filter((c) => c.name === name);
  const files = [config.files.project, config.files.user].filter((f) => f !== null).join(", ");
  if (matches.length > 1) {
    throw configError(
      matches[1]!.file,
      matches[1]!.path,
      `server "${name}" is also declared in ${matches[0]!.file}`,
      "rename one of them so the name says which one runs",
    );
  }
  const found = matches[0];
  if (found === undefined) {
    const elsewhere = known.filter((p) => candidates(config, p).some((c) => c.name === name));
    const names = listNamedServers(config, profile).map((s) => s.name);
    const hint =
      elsewhere.length > 0
        ? `it exists in profile ${elsewhere.map((p) => `"${p}"`).join(", ")}; choose it with --profile`
        : names.length > 0
          ? `known servers: ${names.join(", ")}`
          : `declare it under "servers" in ${files || "mcpward.config.json"}`;
    throw configError(files || "config", null, `no server named "${name}"`, hint);
  }
  const { entry, path } = found;
  const args = (entry.args ?? []).map((arg, i) =>
    expandTemplate(arg, env, { file: found.file, path: [...path, "args", i] }),
  );
  const expanded: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(entry.env ?? {})) {
    expanded[key] = expandTemplate(value, env, { file: found.file, path: [...path, "env", key] });
  }
  const all = [...layers(config, profile), layerOf(found.source, entry)];
  const timeouts: ResolvedServer["timeouts"] = {};
  if (entry.timeouts?.tool !== undefined) timeouts.tool = entry.timeouts.tool;
  if (entry.timeouts?.startup !== undefined) timeouts.startup = entry.timeouts.startup;
  if (entry.timeouts?.idle !== undefined) timeouts.idle = entry.timeouts.idle;
  return {
    name: found.name,
    origin: found.origin,
    file: found.file,
    jsonPath: found.jsonPath,
    profile,
    command: entry.command,
    args,
    env: expanded,
    envPassthrough: [...(entry.envPassthrough ?? [])],
    timeouts,
    rules: mergeRules(all, found.origin, config.projectDir, env),
    configHash: configHash(config, profile, found),
    needsApproval: found.origin === "project",
  };
}
