/**
 * The MCP protocol versions the daemon's own client session speaks. They
 * mirror the SDK's `LATEST_PROTOCOL_VERSION` and `SUPPORTED_PROTOCOL_VERSIONS`
 * (a test compares them, so an SDK upgrade flags the drift) without loading
 * the SDK at runtime.
 */

/** The version the daemon asks for in `initialize`. */
export const LATEST_PROTOCOL_VERSION = "2025-11-25";

/** Versions a server may answer `initialize` with. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  LATEST_PROTOCOL_VERSION,
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
  "2024-10-07",
];
