/**
 * Recognising trust level 1: an official MCP reference server run through a
 * package runner, fetched from the real registry, not a local stand-in.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { commandName } from "./command-name.js";

/**
 * The reference servers maintained by the MCP project. A fixed list rather
 * than the whole `@modelcontextprotocol/server-*` scope: the scope also holds
 * archived, unmaintained servers (postgres, puppeteer, …).
 */
export const OFFICIAL_SERVERS: readonly string[] = Object.freeze([
  "everything",
  "fetch",
  "filesystem",
  "git",
  "memory",
  "sequential-thinking",
  "time",
]);

/** Runner options that change nothing about which package runs. */
const HARMLESS_OPTIONS: ReadonlySet<string> = new Set(["-y", "--yes", "-q", "--quiet", "--silent"]);

/** A version or dist-tag: no `npm:` alias, URL, path or range operators. */
const VERSION = /^[0-9A-Za-z.+~^-]+$/;

/** Explicit variables that can point a runner at another registry, CA or config. */
const REGISTRY_ENV =
  /^(?:npm_|yarn_|bun_|pnpm_|xdg_)|^(?:home|userprofile|appdata|localappdata|node_extra_ca_certs|node_tls_reject_unauthorized)$/i;

/** Project files that can point a runner at another registry. */
const RUNNER_CONFIG_FILES = [".npmrc", ".yarnrc", ".yarnrc.yml", "bunfig.toml"];
const REGISTRY_SETTING = /registry|npmScopes/i;

/** A package run through a runner: which runner, the package token, and whether any other option was given. */
export interface LaunchedPackage {
  runner: string;
  /** The package as written (`@scope/name@1.2.3`), or null when none was found. */
  spec: string | null;
  /** False when the runner got an option that could change what runs (`-p`, `--registry`, `-c`). */
  plain: boolean;
  /** The tokens after the runner (and its subcommand). */
  rest: readonly string[];
}

/** `npx`, `bunx`, `pnpm dlx`, `yarn dlx`, `bun x`, `npm exec`: the package and runner options. */
export function launchedPackage(command: string, args: readonly string[]): LaunchedPackage | null {
  const name = commandName(command);
  let runner: string;
  let rest: readonly string[];
  if (name === "npx" || name === "bunx" || name === "pnpx") {
    runner = name;
    rest = args;
  } else if ((name === "pnpm" || name === "yarn") && args[0] === "dlx") {
    runner = `${name} dlx`;
    rest = args.slice(1);
  } else if (name === "bun" && args[0] === "x") {
    runner = "bun x";
    rest = args.slice(1);
  } else if (name === "npm" && (args[0] === "exec" || args[0] === "x")) {
    runner = `npm ${args[0]}`;
    rest = args.slice(1);
  } else {
    return null;
  }
  let plain = true;
  let afterDashes = false;
  for (const token of rest) {
    if (!afterDashes && token === "--") {
      afterDashes = true;
    } else if (!afterDashes && token.startsWith("-")) {
      if (!HARMLESS_OPTIONS.has(token)) plain = false;
    } else {
      return { runner, spec: token, plain, rest };
    }
  }
  return { runner, spec: null, plain, rest };
}

/** Splits `@scope/name@1.2.3` or `name@latest` into name and version. */
export function splitPackageSpec(spec: string): { name: string; version: string | null } {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return at === -1
    ? { name: spec, version: null }
    : { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/**
 * The official package a command runs, or null. The runner must get no
 * option but `-y`/`--yes`/`-q`/`--quiet`/`--silent`, and the package must be
 * `@modelcontextprotocol/server-<name>` for a name in
 * {@link OFFICIAL_SERVERS}, optionally with a plain version (`@1.2.3`,
 * `@latest`); aliases such as `@npm:other` do not count.
 */
export function officialPackage(command: string, args: readonly string[]): string | null {
  const launched = launchedPackage(command, args);
  if (launched === null || !launched.plain || launched.spec === null) return null;
  const { name, version } = splitPackageSpec(launched.spec);
  const prefix = "@modelcontextprotocol/server-";
  if (!name.startsWith(prefix) || !OFFICIAL_SERVERS.includes(name.slice(prefix.length)))
    return null;
  if (version !== null && !VERSION.test(version)) return null;
  return name;
}

/**
 * Why the official package might not be what runs, or null: an explicit
 * variable that redirects the runner, a runner config file in the working
 * directory or above (outside the user's home directory itself) that sets a
 * registry, or a local copy in a `node_modules` there, which npx and bunx
 * prefer over the registry. A repository must not be able to pass its own
 * code off as an official server.
 */
export function officialPackageOverride(
  packageName: string,
  envNames: readonly string[],
  cwd: string,
): string | null {
  const envName = envNames.find((name) => REGISTRY_ENV.test(name));
  if (envName !== undefined) {
    return `explicit variable ${envName} can change where the package runner fetches from`;
  }
  const home = homedir();
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (dir !== home) {
      for (const file of RUNNER_CONFIG_FILES) {
        const path = join(dir, file);
        if (setsRegistry(path)) return `${path} sets a package registry`;
      }
      const local = join(dir, "node_modules", packageName);
      if (existsSync(local)) return `a local copy at ${local} would run instead of the registry's`;
    }
    if (dir === dirname(dir)) return null;
  }
}

function setsRegistry(path: string): boolean {
  try {
    // A config file larger than this is suspicious in itself; judge it as setting one.
    if (statSync(path).size > 1024 * 1024) return true;
    return REGISTRY_SETTING.test(readFileSync(path, "utf8"));
  } catch {
    return false;
  }
}
