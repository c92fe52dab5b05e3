// @mcpward/policy: named exports only; every name here is a promise to other
// packages and to policy plugin authors.

// --- Contract and built-in rules -------------------------------------------

export { checkCommand } from "./command-rules.js";
export { checkEnvFiles, type EnvFileCheckOptions } from "./env-file-rules.js";
export { BLOCKED_ENV, checkEnv, isBlockedEnvName } from "./env-rules.js";
export {
  type ExecutableLookupOptions,
  type ExecutableResolution,
  resolveExecutable,
} from "./executable.js";
export type { FileProblem } from "./file-checks.js";
export { OFFICIAL_SERVERS } from "./official-servers.js";
export { checkPathArguments, type PathRootOptions } from "./path-roots.js";
export {
  type Action,
  combineDecisions,
  type Decision,
  definePolicy,
  type Policy,
  type ServerInfo,
  type ServerStartContext,
  type ToolCallContext,
  type TrustLevel,
} from "./policy.js";
export { scriptArgument } from "./script-argument.js";
export { serverEnvironment } from "./server-environment.js";
export { checkToolCall, type ToolRules } from "./tool-rules.js";
export {
  type ClassifyServerInput,
  classifyServer,
  codeFiles,
  decideTrust,
  type TrustClassification,
} from "./trust-level.js";

// --- Config files, trust store and plugins ----------------------------------

export {
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  type MergedConfig,
  PROJECT_CONFIG_FILE,
} from "./config-load.js";
export type { ConfigOrigin, EffectiveRules, PolicyReference } from "./config-rules.js";
export {
  APPROVAL_MODES,
  type ApprovalMode,
  type ProfileConfig,
  type ProjectConfig,
  type RulesConfig,
  type ServerConfig,
  type TimeoutsConfig,
  type ToolRulesConfig,
  type UserConfig,
} from "./config-schema.js";
export { type HashOptions, hashExecutable } from "./content-hash.js";
export {
  PluginHost,
  type PluginHostOptions,
  type PluginStatus,
} from "./plugin-host.js";
export { type PolicySource, type ResolvedPolicy, resolvePolicy } from "./plugin-resolve.js";
export {
  commandLineRules,
  listNamedServers,
  type NamedServerSummary,
  type ResolvedServer,
  resolveNamedServer,
} from "./profiles.js";
export {
  type ConfigServerApproval,
  type PolicyApproval,
  type ServerApproval,
  type ToolApproval,
  type TrustRecord,
  TrustStore,
} from "./trust-store.js";
