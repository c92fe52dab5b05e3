import { readFileSync } from "node:fs";

/**
 * The CLI's version, read from its package.json (one level above src/ and
 * dist/) when asked, so a plain tool call never reads it.
 */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}
