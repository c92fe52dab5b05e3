/**
 * `${VAR}` expansion in config args and env values, so secrets stay in the
 * caller's environment instead of config files. Only `${NAME}` is expanded;
 * `$$` is a literal `$`; any other `$` is an error (a `$HOME` that silently
 * stayed literal would be a bug waiting to happen). There are no defaults
 * (`${A:-b}`) and no nesting.
 */

import { configError, type JsonPath } from "./config-error.js";

type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A template split into literal text and variable references. */
export type TemplatePart = { literal: string } | { variable: string };

/** Where a template came from, for error messages. */
export interface TemplateLocation {
  file: string;
  path: JsonPath;
}

/**
 * Splits a template into parts.
 *
 * @throws McpwardError `BAD_CONFIG` for a lone `$`, an unclosed `${` or a
 *   `${…}` that is not a plain variable name
 */
export function parseTemplate(template: string, where: TemplateLocation): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar === -1) {
      literal += template.slice(i);
      break;
    }
    literal += template.slice(i, dollar);
    const next = template[dollar + 1];
    if (next === "$") {
      literal += "$";
      i = dollar + 2;
      continue;
    }
    if (next !== "{") {
      throw configError(
        where.file,
        where.path,
        `has a lone "$" at character ${dollar + 1}`,
        `write \${NAME} to use a variable or $$ for a literal $`,
      );
    }
    const close = template.indexOf("}", dollar + 2);
    if (close === -1) {
      throw configError(
        where.file,
        where.path,
        `has an unclosed "\${" at character ${dollar + 1}`,
        'close it with "}" or write $$ for a literal $',
      );
    }
    const name = template.slice(dollar + 2, close);
    if (!NAME.test(name)) {
      throw configError(
        where.file,
        where.path,
        `has a "\${…}" at character ${dollar + 1} that is not a plain variable name`,
        `write \${NAME}; defaults and other shell forms are not supported`,
      );
    }
    if (literal !== "") parts.push({ literal });
    literal = "";
    parts.push({ variable: name });
    i = close + 1;
  }
  if (literal !== "") parts.push({ literal });
  return parts;
}

/**
 * Expands `${NAME}` references from `env`.
 *
 * @throws McpwardError `BAD_CONFIG` naming the missing variable, the file and
 *   the JSON path (never the value)
 */
export function expandTemplate(template: string, env: Env, where: TemplateLocation): string {
  let out = "";
  for (const part of parseTemplate(template, where)) {
    if ("literal" in part) {
      out += part.literal;
      continue;
    }
    const value = Object.hasOwn(env, part.variable) ? env[part.variable] : undefined;
    if (value === undefined) {
      throw configError(
        where.file,
        where.path,
        `\${${part.variable}} is not set in your environment`,
        `set ${part.variable} before running mcpward, or remove the reference`,
      );
    }
    out += value;
  }
  return out;
}

/** The literal text of a template (references removed), for the secrets warning. */
export function literalText(template: string, where: TemplateLocation): string {
  return parseTemplate(template, where)
    .map((part) => ("literal" in part ? part.literal : ""))
    .join("");
}
