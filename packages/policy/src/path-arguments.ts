/**
 * Which tool arguments are file-system paths. A heuristic by design: an MCP
 * tool schema has no standard way to say "this is a path", so mcpward reads
 * the schema's `format`, the argument's name and its description, and errs
 * towards checking (a plain word checked as a path resolves inside the
 * project and passes).
 */

/** One path-valued argument: where it sits (`path`, `paths[1]`, `options.dir`) and its text. */
export interface PathArgument {
  name: string;
  value: string;
}

/** `format` values that mean a path or a (possibly `file:`) URI. */
const PATH_FORMATS: ReadonlySet<string> = new Set([
  "path",
  "file-path",
  "uri",
  "uri-reference",
  "iri",
  "iri-reference",
]);

/** Argument names that are paths, compared in lower case without `-` and `_`. */
const PATH_NAMES: ReadonlySet<string> = new Set([
  "path",
  "paths",
  "file",
  "files",
  "filename",
  "filenames",
  "filepath",
  "filepaths",
  "dir",
  "dirs",
  "directory",
  "directories",
  "folder",
  "folders",
  "cwd",
  "root",
  "roots",
  "target",
  "source",
  "sources",
  "destination",
  "dest",
  "src",
  "output",
  "input",
]);

/** `repoPath`, `configFile`, `outputDir`, `logFolders` … */
const CAMEL_SUFFIX = /(?:Path|File|Dir|Directory|Folder|Filename|FileName)s?$/;
/** `repo_path`, `config-file`, `output_dir` … */
const SNAKE_SUFFIX = /[_-](?:path|file|dir|directory|folder|filename)s?$/i;
/** A description that talks about paths, files or directories. */
const PATH_WORDS = /\b(?:paths?|files?|file ?names?|director(?:y|ies)|folders?)\b/i;

const MAX_DEPTH = 32;

function own(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function nameSaysPath(key: string): boolean {
  return (
    PATH_NAMES.has(key.toLowerCase().replace(/[-_]/g, "")) ||
    CAMEL_SUFFIX.test(key) ||
    SNAKE_SUFFIX.test(key)
  );
}

/** Format or description of the schema, its array items or its anyOf/oneOf/allOf branches. */
function schemaSaysPath(schema: unknown, depth = 0): boolean {
  if (typeof schema !== "object" || schema === null || depth > 4) return false;
  const format = own(schema, "format");
  if (typeof format === "string" && PATH_FORMATS.has(format.toLowerCase())) return true;
  const description = own(schema, "description");
  if (typeof description === "string" && PATH_WORDS.test(description)) return true;
  const items = own(schema, "items");
  if (items !== undefined && !Array.isArray(items) && schemaSaysPath(items, depth + 1)) return true;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const branches = own(schema, key);
    if (Array.isArray(branches) && branches.some((branch) => schemaSaysPath(branch, depth + 1))) {
      return true;
    }
  }
  return false;
}

function itemSchema(schema: unknown, index: number): unknown {
  const items = own(schema, "items");
  return Array.isArray(items) ? items[index] : items;
}

/**
 * The path-valued strings in a tool call's arguments. An argument is a path
 * when its schema has `format` path, file-path, uri(-reference) or
 * iri(-reference); when its name is one of path, file, filename, dir,
 * directory, folder, cwd, root, target, source, destination, dest, src,
 * output, input (or a plural), or ends in Path/File/Dir/Directory/Folder
 * (`repoPath`, `repo_path`); or when its description mentions a path, file,
 * directory or folder. Arrays are checked item by item, nested objects key
 * by key (properties not in the schema are judged by name).
 *
 * @param args - the call's arguments
 * @param inputSchema - the tool's JSON Schema (anything else counts as none)
 */
export function pathArguments(args: unknown, inputSchema: unknown): PathArgument[] {
  const found: PathArgument[] = [];
  const walk = (
    value: unknown,
    schema: unknown,
    name: string,
    isPath: boolean,
    depth: number,
  ): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof value === "string") {
      if (isPath) found.push({ name, value });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        walk(item, itemSchema(schema, index), `${name}[${index}]`, isPath, depth + 1);
      });
    } else if (typeof value === "object" && value !== null) {
      const properties = own(schema, "properties");
      for (const key of Object.keys(value)) {
        const propertySchema = own(properties, key);
        walk(
          (value as Record<string, unknown>)[key],
          propertySchema,
          name === "" ? key : `${name}.${key}`,
          nameSaysPath(key) || schemaSaysPath(propertySchema),
          depth + 1,
        );
      }
    }
  };
  walk(args, inputSchema, "", false, 0);
  return found;
}
