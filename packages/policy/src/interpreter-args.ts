/**
 * Reading an interpreter's command line the way the interpreter does, far
 * enough to tell whether it runs a script file (which one), code given on
 * the command line (`bash -c`, `node -e`, `deno eval`), or neither.
 */

import { commandName } from "./command-name.js";
import { SPECS, type Spec } from "./interpreter-specs.js";

/** What an interpreter's arguments ask it to run. */
export interface InterpreterArgs {
  /** The option or subcommand that runs code from the command line, or null. */
  inline: string | null;
  /** The script argument as written, or null (module, stdin, inline code, none). */
  script: string | null;
  /**
   * Files loaded before the script by option (`node -r ./x.js`, `--import`,
   * `--loader`, `bun --preload`), as written: code that runs as surely as the
   * script. Packages named without a path (`-r dotenv/config`) and `data:`
   * URLs (inline code) are not listed.
   */
  modules: string[];
  /**
   * Env files the interpreter reads before the script (`node --env-file=x.env`,
   * `--env-file-if-exists`, `bun --env-file`, `deno run --env-file=x.env`), as
   * written; `optional` when a missing file is no error.
   */
  envFiles: EnvFileArgument[];
}

/** One env file named on an interpreter's command line. */
export interface EnvFileArgument {
  /** The path as written (relative to the server's working directory). */
  path: string;
  /** True for `--env-file-if-exists` (and deno's default `.env`): a missing file is fine. */
  optional: boolean;
}

type Scan = Omit<InterpreterArgs, "modules" | "envFiles">;

interface Found {
  modules: string[];
  envFiles: EnvFileArgument[];
}

const NONE: Scan = { inline: null, script: null };

/** True when mcpward knows how `name` (see {@link commandName}) reads its arguments. */
export function isKnownInterpreter(name: string): boolean {
  return SPECS.has(name) || name === "pwsh" || name === "powershell" || name === "cmd";
}

/**
 * Reads `args` as the program called `command` would. Unknown programs run
 * no inline code and no script, as far as mcpward can tell.
 */
export function readInterpreterArgs(command: string, args: readonly string[]): InterpreterArgs {
  const name = commandName(command);
  if (name === "pwsh") return { ...readPowerShell(args, false), modules: [], envFiles: [] };
  if (name === "powershell") return { ...readPowerShell(args, true), modules: [], envFiles: [] };
  if (name === "cmd") {
    const flag = args.find((token) => /^\/[ckr]/i.test(token));
    return { inline: flag ?? null, script: null, modules: [], envFiles: [] };
  }
  const spec = SPECS.get(name);
  if (spec === undefined) return { ...NONE, modules: [], envFiles: [] };
  const found: Found = { modules: [], envFiles: [] };
  return { ...readWithSpec(spec, args, found), ...found };
}

/** A preloaded module given as a file (a path or a `file:` URL), not a package name. */
function isModuleFile(value: string | undefined): value is string {
  return value !== undefined && /^(?:\.{0,2}\/|file:)/i.test(value);
}

function readWithSpec(spec: Spec, args: readonly string[], found: Found): Scan {
  const { modules, envFiles } = found;
  let needSubcommand = spec.subcommands !== undefined;
  const operand = (token: string): Scan | "continue" => {
    if (needSubcommand) {
      needSubcommand = false;
      const sub =
        spec.subcommands && Object.hasOwn(spec.subcommands, token)
          ? spec.subcommands[token]
          : undefined;
      if (sub === "inline") return { inline: token, script: null };
      if (sub === "none") return NONE;
      if (sub === "script") return "continue";
      if (spec.subcommandRequired) return NONE;
    }
    if (token === "-") return NONE;
    if (spec.operandIsCode) return { inline: "program text", script: null };
    if (spec.operandMustLookLikeFile && !/\.pyw?$/i.test(token) && !token.includes("/"))
      return NONE;
    return { inline: null, script: token };
  };

  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === "--") {
      for (let j = i + 1; j < args.length; j++) {
        const result = operand(args[j]!);
        if (result !== "continue") return result;
      }
      return NONE;
    }
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      const name = eq === -1 ? token : token.slice(0, eq);
      if (spec.longInline?.includes(name)) return { inline: name, script: null };
      if (spec.longNoScript?.includes(name)) return NONE;
      const takesValue = spec.longValue?.includes(name) === true;
      const value = eq !== -1 ? token.slice(eq + 1) : takesValue ? args[i + 1] : undefined;
      if (spec.moduleOptions?.includes(name) && isDataUrl(value))
        return { inline: name, script: null };
      if (spec.moduleOptions?.includes(name) && isModuleFile(value)) modules.push(value);
      if (spec.envFileOptions?.includes(name) || spec.envFileOptionalOptions?.includes(name)) {
        const optional = spec.envFileOptionalOptions?.includes(name) === true;
        // deno's `--env-file` takes its value only after `=`; alone it loads
        // `.env`. Check that too, and the next word as well, whichever deno means.
        const bare = eq === -1 && spec.envFileDefault !== undefined;
        if (bare) envFiles.push({ path: spec.envFileDefault!, optional: true });
        if (value !== undefined && value !== "") {
          envFiles.push({ path: value, optional: optional || bare });
        }
      }
      if (takesValue && eq === -1) i++;
      continue;
    }
    const isShort =
      token.length > 1 && (token[0] === "-" || (spec.plusOptions === true && token[0] === "+"));
    if (!isShort) {
      const result = operand(token);
      if (result !== "continue") return result;
      continue;
    }
    for (let k = 1; k < token.length; k++) {
      const letter = token[k]!;
      const rest = token.slice(k + 1);
      if (spec.shortInline?.includes(letter)) return { inline: `-${letter}`, script: null };
      if (spec.shortNoScript?.includes(letter)) return NONE;
      if (spec.shortScript?.includes(letter)) {
        const script = rest !== "" ? rest : args[i + 1];
        return { inline: null, script: script ?? null };
      }
      if (spec.shortValue?.includes(letter)) {
        const value = rest !== "" ? rest : args[++i];
        if (spec.moduleOptions?.includes(`-${letter}`) && isDataUrl(value)) {
          return { inline: `-${letter}`, script: null };
        }
        if (spec.moduleOptions?.includes(`-${letter}`) && isModuleFile(value)) modules.push(value);
        break;
      }
      if (spec.shortAttached?.includes(letter)) break;
      if (spec.shortDigits?.includes(letter)) {
        while (
          k + 1 < token.length &&
          /[0-9a-fA-Fx]/.test(token[k + 1]!) &&
          !spec.shortInline?.includes(token[k + 1]!)
        )
          k++;
      }
    }
  }
  return NONE;
}

function isDataUrl(value: string | undefined): boolean {
  return value !== undefined && /^\s*data:/i.test(value);
}

/**
 * PowerShell takes `-Param` names by any unambiguous prefix, in any case,
 * with `-`, `--` or `/`. pwsh runs a bare operand as a file; Windows
 * PowerShell 5 (`powershell.exe`) runs it as a command.
 */
function readPowerShell(args: readonly string[], operandIsCommand: boolean): Scan {
  const prefixOf = (name: string, full: string, min = 1): boolean =>
    name.length >= min && full.startsWith(name);
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    const match = /^(?:--?|\/)([A-Za-z]+)(?::.*)?$/.exec(token);
    if (match === null) {
      return operandIsCommand ? { inline: token, script: null } : { inline: null, script: token };
    }
    const name = match[1]!.toLowerCase();
    if (prefixOf(name, "command") || name === "ec" || prefixOf(name, "encodedcommand")) {
      return { inline: token, script: null };
    }
    if (prefixOf(name, "file")) return { inline: null, script: args[i + 1] ?? null };
    const valued = [
      "executionpolicy",
      "workingdirectory",
      "windowstyle",
      "configurationname",
      "outputformat",
      "inputformat",
      "settingsfile",
      "custompipename",
    ];
    if (
      name === "ep" ||
      name === "wd" ||
      name === "of" ||
      name === "if" ||
      valued.some((full) => prefixOf(name, full, 2))
    ) {
      i++;
    }
  }
  return NONE;
}
