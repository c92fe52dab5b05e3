/**
 * The shape of mcpward's config files, as valibot schemas. Every object is
 * strict (an unknown key is an error, so a typo such as `comand` surfaces
 * instead of being ignored), every list and string has a cap, and validation
 * messages never repeat a value (a value may be a secret).
 *
 * Project config: `mcpward.config.json` in the project directory. User config:
 * `<configRoot>/config.json`; it may additionally hold `denyList` and
 * `defaultProfile`. Trust never lives in either: it lives in the trust store.
 */

import { LIMITS, type LimitDefinition } from "@mcpward/core";
import * as v from "valibot";

/** Server and profile names: what `mcpward -s <name>` and `--profile <name>` accept. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** POSIX-style variable names; anything else cannot be exported by a shell. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** A URL scheme (`file:`, `data:`, `https:`, `node:`); a Windows drive letter is not one. */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:/;

const MAX_LIST = 1024;
const MAX_ENTRIES = 256;
const MAX_TEXT = 64 * 1024;

const noNul = v.check<string, string>(
  (text) => !text.includes("\0"),
  "must not contain a NUL character",
);

const Name = v.pipe(
  v.string(),
  v.regex(NAME, "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"),
);

const EnvName = v.pipe(
  v.string(),
  v.regex(ENV_NAME, "must be a variable name such as GITHUB_TOKEN (letters, digits and _)"),
);

const Text = v.pipe(v.string(), v.maxLength(MAX_TEXT, "is longer than 64 KiB"), noNul);

const NonEmptyText = v.pipe(v.string(), v.minLength(1, "must not be empty"), Text);

function list<T extends v.GenericSchema<unknown, string>>(item: T) {
  return v.pipe(v.array(item), v.maxLength(MAX_LIST, `has more than ${MAX_LIST} entries`));
}

function entries<T extends v.GenericSchema>(key: v.GenericSchema<string, string>, value: T) {
  return v.pipe(
    v.record(key, value),
    v.maxEntries(MAX_ENTRIES, `has more than ${MAX_ENTRIES} entries`),
  );
}

const Glob = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.maxLength(256, "is longer than 256 characters"),
  noNul,
);

const Specifier = v.pipe(
  NonEmptyText,
  v.maxLength(1024, "is longer than 1024 characters"),
  v.check(
    (text) => !URL_SCHEME.test(text),
    "must be a package name or a ./relative path; URLs (file:, data:, https:, node:) are not loaded",
  ),
);

function seconds(limit: LimitDefinition) {
  return v.pipe(
    v.number("must be a number of seconds"),
    v.finite("must be a finite number of seconds"),
    v.minValue(limit.min, `must be at least ${limit.min} s`),
    v.maxValue(limit.max, `must be at most ${limit.max} s`),
  );
}

/** Approval modes, from least to most prompting. */
export const APPROVAL_MODES = ["never", "on-request", "always"] as const;

/**
 * When mcpward asks before a tool call: `never` (ask means deny without a
 * prompt), `on-request` (when a rule says ask; the default) or `always`
 * (before every call).
 */
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** Glob lists naming tools (`*` matches any run of characters). */
export interface ToolRulesConfig {
  /** Tools that may run without a prompt. */
  allow?: string[] | undefined;
  /** Tools that are refused. */
  deny?: string[] | undefined;
  /** Tools that always need approval. */
  ask?: string[] | undefined;
}

/** Per-server timeouts in seconds (ranges as for the `MCPWARD_*_TIMEOUT` variables). */
export interface TimeoutsConfig {
  tool?: number | undefined;
  startup?: number | undefined;
  idle?: number | undefined;
}

/** One named server. */
export interface ServerConfig {
  /** Executable: a bare name looked up on PATH, or a path. Never run through a shell. */
  command: string;
  /** Arguments; `${VAR}` is expanded from the caller's environment, `$$` is a literal `$`. */
  args?: string[] | undefined;
  /** Variables for the server; values expand `${VAR}` like args. */
  env?: Record<string, string> | undefined;
  tools?: ToolRulesConfig | undefined;
  /** Directories that path arguments must stay inside (default: the project directory). */
  roots?: string[] | undefined;
  /** Caller variables passed through to a third-party server's minimal environment. */
  envPassthrough?: string[] | undefined;
  approval?: ApprovalMode | undefined;
  timeouts?: TimeoutsConfig | undefined;
  /** Policy plugins (module specifiers) that apply to this server only. */
  policies?: string[] | undefined;
  /** Restart the server when its executable or script changes (default true). */
  restartOnChange?: boolean | undefined;
  /** Stop the server when its process group's resident memory exceeds this many MiB. */
  memoryLimitMb?: number | undefined;
}

/** Rules that apply to every server: at the top level and in a profile. */
export interface RulesConfig {
  tools?: ToolRulesConfig | undefined;
  approval?: ApprovalMode | undefined;
  roots?: string[] | undefined;
  policies?: string[] | undefined;
  /** Restart servers when their executable or script changes (default true). */
  restartOnChange?: boolean | undefined;
  /** Memory limit of every server in MiB (the smallest limit that applies wins). */
  memoryLimitMb?: number | undefined;
}

/** A profile: servers that exist only in it, and rules that add to the global ones. */
export interface ProfileConfig extends RulesConfig {
  servers?: Record<string, ServerConfig> | undefined;
}

/** `mcpward.config.json` in a project directory. */
export interface ProjectConfig extends RulesConfig {
  $schema?: string | undefined;
  servers?: Record<string, ServerConfig> | undefined;
  profiles?: Record<string, ProfileConfig> | undefined;
}

/** `<configRoot>/config.json`: a project config plus user-only settings. */
export interface UserConfig extends ProjectConfig {
  /** Commands (bare names) or paths that are always denied (trust level 4). */
  denyList?: string[] | undefined;
  /** Profile used when neither `--profile` nor `MCPWARD_PROFILE` names one. */
  defaultProfile?: string | undefined;
}

const ToolRulesSchema = v.strictObject({
  allow: v.optional(list(Glob)),
  deny: v.optional(list(Glob)),
  ask: v.optional(list(Glob)),
});

const TimeoutsSchema = v.strictObject({
  tool: v.optional(seconds(LIMITS.toolTimeout)),
  startup: v.optional(seconds(LIMITS.startupTimeout)),
  idle: v.optional(seconds(LIMITS.idleTimeout)),
});

const ApprovalSchema = v.picklist(APPROVAL_MODES, 'must be "on-request", "never" or "always"');

const Root = v.pipe(NonEmptyText, v.maxLength(4096, "is longer than 4096 characters"));

const RestartOnChange = v.boolean("must be true or false");

const MemoryLimit = v.pipe(
  v.number("must be a number of MiB"),
  v.integer("must be a whole number of MiB"),
  v.minValue(1, "must be at least 1 MiB (leave it out for no limit)"),
  v.maxValue(LIMITS.serverMemoryMb.max, `must be at most ${LIMITS.serverMemoryMb.max} MiB`),
);

const ServerSchema = v.strictObject({
  command: v.pipe(
    v.string("must be a string (the executable)"),
    v.minLength(1, "must not be empty"),
    v.maxLength(4096, "is longer than 4096 characters"),
    noNul,
  ),
  args: v.optional(list(Text)),
  env: v.optional(entries(EnvName, Text)),
  tools: v.optional(ToolRulesSchema),
  roots: v.optional(list(Root)),
  envPassthrough: v.optional(list(EnvName)),
  approval: v.optional(ApprovalSchema),
  timeouts: v.optional(TimeoutsSchema),
  policies: v.optional(list(Specifier)),
  restartOnChange: v.optional(RestartOnChange),
  memoryLimitMb: v.optional(MemoryLimit),
});

const Servers = entries(Name, ServerSchema);

const rulesEntries = {
  tools: v.optional(ToolRulesSchema),
  approval: v.optional(ApprovalSchema),
  roots: v.optional(list(Root)),
  policies: v.optional(list(Specifier)),
  restartOnChange: v.optional(RestartOnChange),
  memoryLimitMb: v.optional(MemoryLimit),
};

const ProfileSchema = v.strictObject({ servers: v.optional(Servers), ...rulesEntries });

const projectEntries = {
  $schema: v.optional(v.pipe(v.string(), v.maxLength(2048, "is longer than 2048 characters"))),
  servers: v.optional(Servers),
  ...rulesEntries,
  profiles: v.optional(entries(Name, ProfileSchema)),
};

const projectSchema = v.strictObject(projectEntries);

const userSchema = v.strictObject({
  ...projectEntries,
  denyList: v.optional(list(NonEmptyText)),
  defaultProfile: v.optional(Name),
});

/** Schema of `mcpward.config.json`. */
export const ProjectConfigSchema: v.GenericSchema<unknown, ProjectConfig> = projectSchema;

/** Schema of the user config (`<configRoot>/config.json`). */
export const UserConfigSchema: v.GenericSchema<unknown, UserConfig> = userSchema;

interface SchemaNode {
  type: string;
  wrapped?: SchemaNode;
  entries?: Record<string, SchemaNode>;
  value?: SchemaNode;
  item?: SchemaNode;
}

function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  while (current?.type === "optional") current = current.wrapped;
  return current;
}

/**
 * The keys an object at `path` may have (for a "did you mean"), or an empty
 * list when `path` is not a fixed-shape object.
 */
export function knownKeysAt(
  kind: "project" | "user",
  path: readonly (string | number)[],
): string[] {
  let node = unwrap((kind === "user" ? userSchema : projectSchema) as unknown as SchemaNode);
  for (const key of path) {
    if (node === undefined) return [];
    if (node.type === "strict_object" && node.entries !== undefined) {
      node = Object.hasOwn(node.entries, key) ? unwrap(node.entries[key as string]) : undefined;
    } else if (node.type === "record") {
      node = unwrap(node.value);
    } else if (node.type === "array") {
      node = unwrap(node.item);
    } else {
      return [];
    }
  }
  return node?.type === "strict_object" && node.entries !== undefined
    ? Object.keys(node.entries)
    : [];
}
