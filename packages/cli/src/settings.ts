import { LIMITS, McpwardError } from "@mcpward/core/light";

/** Daemon settings given on the command line, in seconds. */
export interface Settings {
  idleTimeout?: number;
  toolTimeout?: number;
  startupTimeout?: number;
}

/** A setting's name in {@link Settings}. */
export type SettingName = keyof Settings;

/** The command-line flag of each setting. */
export const SETTING_FLAGS: Readonly<Record<SettingName, string>> = {
  idleTimeout: "--idle-timeout",
  toolTimeout: "--tool-timeout",
  startupTimeout: "--startup-timeout",
};

const SECONDS = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Parses the value of `--idle-timeout`, `--tool-timeout` or
 * `--startup-timeout`: a positive number of seconds inside the limit's range
 * (the same range the `MCPWARD_*` variable accepts).
 *
 * @throws McpwardError `USAGE` naming the flag, the range and the bad value.
 */
export function parseSetting(name: SettingName, raw: string): number {
  const { min, max } = LIMITS[name];
  const value = Number(raw.trim());
  if (!SECONDS.test(raw.trim()) || !(value >= min && value <= max)) {
    throw new McpwardError(
      "USAGE",
      `${SETTING_FLAGS[name]} needs a number of seconds from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 40))}`,
      { data: { flag: SETTING_FLAGS[name] } },
    );
  }
  return value;
}
