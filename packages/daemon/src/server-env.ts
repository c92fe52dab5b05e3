/**
 * The environment a server starts with: the caller's, without mcpward's own
 * `MCPWARD_*` variables, plus the variables given explicitly after `--`.
 */
export function buildServerEnv(
  inherited: Readonly<Record<string, string | undefined>>,
  explicit: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(inherited)) {
    if (value === undefined || name.startsWith("MCPWARD_")) continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(explicit)) env[name] = value;
  return env;
}
