import { McpwardError } from "./errors.js";

/** One limit: default, allowed range, unit and the variable that overrides it. */
export interface LimitDefinition {
  /** `MCPWARD_*` variable that overrides it, if any. */
  readonly env?: string;
  /** Default, in the unit below. */
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** `s` values are given in seconds (decimals allowed) and stored in ms. */
  readonly unit: "s" | "bytes" | "MiB" | "count" | "per-second";
  readonly description: string;
}

/**
 * Every limit of mcpward in one table. Values given outside a range are
 * clamped and reported; values that are not numbers are errors.
 */
export const LIMITS = {
  maxFrameBytes: {
    env: "MCPWARD_MAX_FRAME_BYTES",
    default: 64 * 1024 * 1024,
    min: 1024,
    max: 1024 * 1024 * 1024,
    unit: "bytes",
    description: "largest NDJSON frame on the socket (a tool result travels in one frame)",
  },
  maxConnections: {
    env: "MCPWARD_MAX_CONNECTIONS",
    default: 128,
    min: 1,
    max: 10_000,
    unit: "count",
    description: "client connections a daemon serves at once",
  },
  handshakeTimeout: {
    default: 3,
    min: 0.05,
    max: 60,
    unit: "s",
    description: "time from connect until the hello exchange must be complete",
  },
  connectionIdleTimeout: {
    default: 300,
    min: 1,
    max: 86_400,
    unit: "s",
    description: "idle time after which a connection with no call in flight is closed",
  },
  idleTimeout: {
    env: "MCPWARD_IDLE_TIMEOUT",
    default: 1800,
    min: 1,
    max: 7 * 86_400,
    unit: "s",
    description: "daemon idle time before it shuts down with its server",
  },
  toolTimeout: {
    env: "MCPWARD_TOOL_TIMEOUT",
    default: 600,
    min: 0.1,
    max: 86_400,
    unit: "s",
    description: "longest a tool call may run before it is cancelled",
  },
  startupTimeout: {
    env: "MCPWARD_STARTUP_TIMEOUT",
    default: 30,
    min: 0.1,
    max: 600,
    unit: "s",
    description: "longest a server may take to start and answer initialize",
  },
  maxInFlight: {
    env: "MCPWARD_MAX_IN_FLIGHT",
    default: 256,
    min: 1,
    max: 100_000,
    unit: "count",
    description: "tool calls a daemon runs at once; more are refused",
  },
  callRate: {
    env: "MCPWARD_CALL_RATE",
    default: 1000,
    min: 1,
    max: 1_000_000,
    unit: "per-second",
    description: "sustained tool calls per second a daemon accepts (burst: twice this)",
  },
  serverMemoryMb: {
    env: "MCPWARD_SERVER_MEMORY_MB",
    default: 0,
    min: 0,
    max: 1024 * 1024,
    unit: "MiB",
    description:
      "resident memory a server's process group may use before it is stopped (0: no limit)",
  },
  maxDaemons: {
    env: "MCPWARD_MAX_DAEMONS",
    // Generous: one daemon per project and server; an idle one costs ~60 MiB.
    default: 64,
    min: 1,
    max: 10_000,
    unit: "count",
    description: "live daemons per user; starting one more stops the longest-idle first",
  },
} as const satisfies Record<string, LimitDefinition>;

/** Name of one limit. */
export type LimitName = keyof typeof LIMITS;

/** Resolved limits; `s` limits are in milliseconds. */
export type Limits = { readonly [K in LimitName]: number };

/** Result of {@link resolveLimits}. */
export interface ResolvedLimits {
  limits: Limits;
  /** One line per value that was clamped into its range. */
  warnings: string[];
}

/**
 * Resolves every limit from the defaults, then `MCPWARD_*` variables in
 * `env`, then explicit `overrides` (same units as the table: seconds for
 * time limits).
 *
 * @throws McpwardError `BAD_LIMIT` naming the variable when a value is not a
 *   number.
 */
export function resolveLimits(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<Record<LimitName, number>> = {},
): ResolvedLimits {
  const warnings: string[] = [];
  const limits = {} as Record<LimitName, number>;
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    const def: LimitDefinition = LIMITS[name];
    let value: number = def.default;
    let source = "default";
    const raw = def.env === undefined ? undefined : env[def.env];
    if (raw !== undefined && raw !== "") {
      value = parseLimit(raw, def.env!, def);
      source = def.env!;
    }
    const override = overrides[name];
    if (override !== undefined) {
      if (!Number.isFinite(override)) {
        throw new McpwardError("BAD_LIMIT", `${name} must be a finite number`);
      }
      value = override;
      source = name;
    }
    if (value < def.min || value > def.max) {
      const clamped = Math.min(def.max, Math.max(def.min, value));
      warnings.push(
        `${source}=${value} is outside ${def.min}..${def.max} ${def.unit}; using ${clamped}`,
      );
      value = clamped;
    }
    limits[name] = def.unit === "s" ? Math.round(value * 1000) : Math.floor(value);
  }
  return { limits, warnings };
}

function parseLimit(raw: string, variable: string, def: LimitDefinition): number {
  const trimmed = raw.trim();
  const pattern = def.unit === "s" ? /^\d+(?:\.\d+)?$/ : /^\d+$/;
  if (!pattern.test(trimmed)) {
    const kind = def.unit === "s" ? "a number of seconds" : "a whole number";
    throw new McpwardError(
      "BAD_LIMIT",
      `${variable}=${JSON.stringify(raw.slice(0, 40))} is not ${kind}; set it to ${kind} between ${def.min} and ${def.max} or unset it`,
      { data: { variable } },
    );
  }
  return Number(trimmed);
}
