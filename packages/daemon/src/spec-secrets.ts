import { secretArgValues } from "@mcpward/core";
import type { DaemonSpec } from "./daemon-spec.js";

/**
 * The values masked wherever the daemon writes or shows text (server log,
 * status, approval events, the audit log): every env value given after `--`,
 * and the secrets among the server's arguments (`--password x`, `TOKEN=x`).
 */
export function specSecrets(spec: Pick<DaemonSpec, "env" | "args">): string[] {
  return [...Object.values(spec.env), ...secretArgValues(spec.args)];
}
