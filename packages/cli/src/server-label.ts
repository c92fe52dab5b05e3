import type { ServerSpec } from "@mcpward/core/light";

/**
 * The server as shown to the user: env names with masked values, the
 * command and its args (`API_KEY=*** node server.mjs`).
 */
export function serverLabel(spec: ServerSpec): string {
  const env = Object.keys(spec.env).map((name) => `${name}=***`);
  return [...env, spec.command, ...spec.args].join(" ");
}
