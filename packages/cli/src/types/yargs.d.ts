// yargs 18 ships no type declarations (its package excludes *.d.ts) and
// @types/yargs targets older majors. These cover only the API the CLI uses.

declare module "yargs" {
  /** Parsed arguments: `_` holds positionals, `$0` the script name. */
  export interface Arguments {
    _: Array<string | number>;
    $0: string;
    [key: string]: unknown;
  }

  export interface OptionDefinition {
    alias?: string | readonly string[];
    choices?: readonly (string | number)[];
    default?: unknown;
    describe?: string;
    description?: string;
    global?: boolean;
    hidden?: boolean;
    requiresArg?: boolean;
    type?: "string" | "boolean" | "number" | "array" | "count";
  }

  export type CompletionCallback = (
    current: string,
    argv: Arguments,
    defaultCompletion: (onCompleted?: (error: Error | null, completions: string[]) => void) => void,
    done: (completions: string[]) => void,
  ) => void;

  export interface Argv {
    alias(key: string, alias: string | readonly string[]): Argv;
    command(
      command: string | readonly string[],
      description: string | false,
      builder?: (yargs: Argv) => Argv,
      handler?: (argv: Arguments) => void | Promise<void>,
    ): Argv;
    completion(command: string, description: string | false, fn?: CompletionCallback): Argv;
    demandCommand(min: number, message?: string): Argv;
    epilogue(text: string): Argv;
    example(command: string, description: string): Argv;
    exitProcess(enabled: boolean): Argv;
    fail(
      handler: (message: string | undefined, error: Error | undefined, yargs: Argv) => void,
    ): Argv;
    getHelp(): Promise<string>;
    help(option?: string | false): Argv;
    locale(locale: string): Argv;
    option(key: string, definition: OptionDefinition): Argv;
    parseAsync(args?: readonly string[]): Promise<Arguments>;
    parserConfiguration(configuration: Record<string, boolean>): Argv;
    positional(key: string, definition: OptionDefinition): Argv;
    recommendCommands(): Argv;
    scriptName(name: string): Argv;
    showCompletionScript(scriptName?: string, command?: string): Argv;
    strict(enabled?: boolean): Argv;
    usage(message: string): Argv;
    version(enabled: false): Argv;
    wrap(columns: number | null): Argv;
  }

  export default function yargs(args?: readonly string[]): Argv;
}

declare module "yargs/helpers" {
  /** argv without the node binary and script path. */
  export function hideBin(argv: readonly string[]): string[];
}
