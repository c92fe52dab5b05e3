/**
 * How each interpreter, shell and package runner reads its command line: the
 * options that run inline code, take a value, end in a module, or name the
 * script. Data only; `interpreter-args.ts` reads argv with it.
 */

/** What a subcommand leads to. */
export type Subcommand = "script" | "inline" | "none";

/** One program's option grammar, as far as the rules need it. */
export interface Spec {
  /** Short-option letters that run code from the command line (`c` of `bash -lc`). */
  shortInline?: string;
  /** Letters taking a value: the rest of the token or else the next token. */
  shortValue?: string;
  /** Letters taking an optional value attached to the same token only (`perl -i.bak`). */
  shortAttached?: string;
  /** Letters taking optional digits attached to the same token (`perl -l`, `perl -0777`). */
  shortDigits?: string;
  /** Letters after which no script follows (`python -m`, `bash -s`). */
  shortNoScript?: string;
  /** Letters whose value is the script (`php -f file`, `awk -f prog`). */
  shortScript?: string;
  longInline?: readonly string[];
  longValue?: readonly string[];
  /** Long options after which no script follows (`uv run --module`). */
  longNoScript?: readonly string[];
  /** Options whose value is a module to preload: a `data:` URL there is inline code. */
  moduleOptions?: readonly string[];
  /** Long options whose value is an env file the program loads (`node --env-file`). */
  envFileOptions?: readonly string[];
  /** Like {@link envFileOptions}, but a missing file is no error (`--env-file-if-exists`). */
  envFileOptionalOptions?: readonly string[];
  /** The env file an env-file option without `=value` loads (deno: `.env`). */
  envFileDefault?: string;
  /** Shells also take `+o option`. */
  plusOptions?: boolean;
  subcommands?: Readonly<Record<string, Subcommand>>;
  /** Only a listed subcommand runs a script (`npm exec`, `uv run`). */
  subcommandRequired?: boolean;
  /** The first operand is program text (`awk '{…}'`), unless a script option came first. */
  operandIsCode?: boolean;
  /** The operand is a script only when it looks like a file (`uv run server.py`, not `uv run mcp-server`). */
  operandMustLookLikeFile?: boolean;
}

const SHELL: Spec = {
  shortInline: "c",
  shortValue: "oO",
  shortNoScript: "si",
  plusOptions: true,
  longValue: ["--rcfile", "--init-file"],
};

const NODE_MODULE_OPTIONS = ["-r", "--require", "--import", "--loader", "--experimental-loader"];

const NODE: Spec = {
  shortInline: "ep",
  shortValue: "rC",
  longInline: ["--eval", "--print"],
  moduleOptions: NODE_MODULE_OPTIONS,
  envFileOptions: ["--env-file"],
  envFileOptionalOptions: ["--env-file-if-exists"],
  longValue: [
    ...NODE_MODULE_OPTIONS,
    "--conditions",
    "--env-file",
    "--env-file-if-exists",
    "--input-type",
    "--title",
    "--inspect-port",
    "--watch-path",
    "--disable-warning",
    "--redirect-warnings",
    "--experimental-config-file",
  ],
};

const PYTHON: Spec = { shortInline: "c", shortValue: "WX", shortNoScript: "m" };

/** Keyed by the program name (see `commandName`); PowerShell and cmd are read by code, not a table. */
export const SPECS: ReadonlyMap<string, Spec> = new Map<string, Spec>([
  ["sh", SHELL],
  ["bash", SHELL],
  ["dash", SHELL],
  ["zsh", SHELL],
  ["ksh", SHELL],
  ["mksh", SHELL],
  ["ash", SHELL],
  ["csh", SHELL],
  ["tcsh", SHELL],
  ["fish", { ...SHELL, shortInline: "cC", longInline: ["--command", "--init-command"] }],
  ["node", NODE],
  [
    "tsx",
    {
      ...NODE,
      longValue: [...(NODE.longValue ?? []), "--tsconfig"],
      subcommands: { watch: "script" },
    },
  ],
  [
    "ts-node",
    {
      ...NODE,
      shortValue: "rPOCDI",
      longValue: [...(NODE.longValue ?? []), "--project", "--compiler", "--cwd"],
    },
  ],
  [
    "bun",
    {
      shortInline: "ep",
      shortValue: "r",
      longInline: ["--eval", "--print"],
      moduleOptions: ["-r", "--preload"],
      envFileOptions: ["--env-file"],
      longValue: ["--preload", "--cwd", "--env-file", "--tsconfig-override", "--config"],
      subcommands: {
        run: "script",
        x: "none",
        install: "none",
        add: "none",
        test: "none",
        build: "none",
      },
    },
  ],
  [
    "deno",
    {
      shortValue: "cL",
      longInline: ["--eval", "--eval-file"],
      envFileOptions: ["--env-file", "--env"],
      envFileDefault: ".env",
      longValue: [
        "--config",
        "--import-map",
        "--lock",
        "--cert",
        "--location",
        "--seed",
        "--env-file",
        "--env",
        "--log-level",
      ],
      subcommands: {
        run: "script",
        serve: "script",
        eval: "inline",
        repl: "none",
        task: "none",
        test: "none",
        x: "none",
      },
    },
  ],
  ["python", PYTHON],
  [
    "uv",
    {
      shortValue: "p",
      shortNoScript: "m",
      longNoScript: ["--module"],
      longValue: [
        "--with",
        "--with-editable",
        "--with-requirements",
        "--python",
        "--project",
        "--directory",
        "--package",
        "--extra",
        "--group",
        "--index",
        "--default-index",
        "--index-url",
        "--extra-index-url",
        "--env-file",
      ],
      envFileOptions: ["--env-file"],
      subcommands: { run: "script" },
      subcommandRequired: true,
      operandMustLookLikeFile: true,
    },
  ],
  // `perl -ie` is -i with backup suffix "e", not -e: the rest of the token is the value.
  ["perl", { shortInline: "eE", shortValue: "IMm", shortAttached: "CdDixF", shortDigits: "0l" }],
  ["ruby", { shortInline: "e", shortValue: "IrCEF", shortAttached: "KWx", shortDigits: "0T" }],
  ["php", { shortInline: "rBRE", shortValue: "cdztS", shortScript: "f" }],
  ["osascript", { shortInline: "e", shortValue: "ls" }],
  ["lua", { shortInline: "e", shortValue: "l" }],
  ["luajit", { shortInline: "e", shortValue: "lj" }],
  ["rscript", { shortInline: "e" }],
  ["r", { shortInline: "e" }],
  ["julia", { shortInline: "eE", shortValue: "LJtp", longInline: ["--eval", "--print"] }],
  [
    "awk",
    {
      shortInline: "e",
      shortValue: "Fv",
      shortScript: "f",
      longInline: ["--source"],
      operandIsCode: true,
    },
  ],
  // Package runners: `npx -c '…'` and `pnpm dlx --shell-mode` hand a string to a shell.
  ["npx", { shortInline: "c", shortValue: "p", longInline: ["--call"], longValue: ["--package"] }],
  [
    "npm",
    {
      shortInline: "c",
      shortValue: "p",
      longInline: ["--call"],
      longValue: ["--package"],
      subcommands: { exec: "script", x: "script" },
      subcommandRequired: true,
    },
  ],
  [
    "pnpm",
    {
      shortInline: "c",
      shortValue: "C",
      longInline: ["--shell-mode"],
      longValue: ["--dir", "--package"],
      subcommands: { dlx: "script" },
      subcommandRequired: true,
    },
  ],
  // `env -S 'bash -c …'` splits a string into a command line.
  [
    "env",
    {
      shortInline: "S",
      shortValue: "uC",
      longInline: ["--split-string"],
      longValue: ["--unset", "--chdir"],
    },
  ],
]);
