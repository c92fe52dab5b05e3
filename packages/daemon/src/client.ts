// @mcpward/daemon/client: the launcher and the thin client. Node built-ins
// and @mcpward/core/light only: no SDK, no valibot (the CLI's warm path).

export {
  type ApprovalOptions,
  type ConnectOptions,
  DaemonClient,
  type DaemonEvent,
  type RequestOptions,
} from "./daemon-client.js";
export { type EnsureDaemonOptions, type EnsuredDaemon, ensureDaemon } from "./launcher.js";
export {
  cleanDaemons,
  connectTo,
  type DaemonEntry,
  type DaemonScope,
  listDaemons,
  stopAll,
  stopDaemon,
} from "./list-daemons.js";
export type { DaemonMetadata } from "./metadata.js";
export { readToolCount } from "./tool-count-cache.js";
export { DAEMON_VERSION } from "./version.js";
