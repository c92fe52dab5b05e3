import { isSecretKey } from "./redact.js";

/** `--name=value`, `-name=value` or `NAME=value`. */
const ASSIGNMENT = /^-{0,2}([A-Za-z_][\w.-]*)=(.*)$/s;
/** `--name` or `-name` with no value attached. */
const FLAG = /^-{1,2}([A-Za-z_][\w.-]*)$/;

/**
 * The secret values inside a server's arguments, for exact masking wherever
 * they appear later (status, logs, approval prompts, the audit log): the
 * token after a secret-named flag (`--password hunter2`, `-token x`), and the
 * value of a secret-named `--flag=value` or `KEY=VALUE` token
 * (`-e GITHUB_TOKEN=…`). A following token that is itself a long flag is not
 * taken as a value. Secret names are those of {@link isSecretKey}.
 */
export function secretArgValues(args: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    const assignment = ASSIGNMENT.exec(token);
    if (assignment) {
      const value = assignment[2] as string;
      if (value !== "" && isSecretKey(assignment[1] as string)) values.push(value);
      continue;
    }
    const flag = FLAG.exec(token);
    const next = args[i + 1];
    if (flag && next !== undefined && next !== "" && !next.startsWith("--")) {
      if (isSecretKey(flag[1] as string)) {
        values.push(next);
        i++;
      }
    }
  }
  return values;
}
