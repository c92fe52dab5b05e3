import { describe, expect, it } from "vitest";
import { pathArguments } from "./path-arguments.js";

function names(args: unknown, schema: unknown = {}): string[] {
  return pathArguments(args, schema).map((arg) => arg.name);
}

describe("pathArguments", () => {
  it("finds arguments by schema format", () => {
    const schema = {
      properties: {
        a: { type: "string", format: "path" },
        b: { type: "string", format: "uri" },
        c: { type: "string", format: "file-path" },
        d: { type: "string", format: "email" },
        e: { anyOf: [{ type: "null" }, { type: "string", format: "uri-reference" }] },
      },
    };
    expect(names({ a: "x", b: "x", c: "x", d: "x", e: "x" }, schema)).toEqual(["a", "b", "c", "e"]);
  });

  it("finds arguments by name, in any case and with suffixes", () => {
    const args = Object.fromEntries(
      [
        "path",
        "Path",
        "file",
        "filename",
        "dir",
        "directory",
        "folder",
        "cwd",
        "root",
        "target",
        "source",
        "destination",
        "dest",
        "src",
        "output",
        "input",
        "repoPath",
        "repo_path",
        "configFile",
        "output-dir",
        "logFolders",
        "content",
        "query",
        "profile",
        "url",
        "compile",
      ].map((name) => [name, "x"]),
    );
    expect(names(args)).toEqual([
      "path",
      "Path",
      "file",
      "filename",
      "dir",
      "directory",
      "folder",
      "cwd",
      "root",
      "target",
      "source",
      "destination",
      "dest",
      "src",
      "output",
      "input",
      "repoPath",
      "repo_path",
      "configFile",
      "output-dir",
      "logFolders",
    ]);
  });

  it("finds arguments by description", () => {
    const schema = {
      properties: {
        where: { type: "string", description: "Absolute path of the repository" },
        what: { type: "string", description: "The directory to list" },
        text: { type: "string", description: "Text to search for" },
      },
    };
    expect(names({ where: "x", what: "x", text: "x" }, schema)).toEqual(["where", "what"]);
  });

  it("checks arrays item by item and nested objects key by key", () => {
    const args = {
      paths: ["a", "b", 3],
      options: { outputDir: "c", depth: 2 },
      edits: [{ file: "d" }],
    };
    expect(pathArguments(args, {})).toEqual([
      { name: "paths[0]", value: "a" },
      { name: "paths[1]", value: "b" },
      { name: "options.outputDir", value: "c" },
      { name: "edits[0].file", value: "d" },
    ]);
  });

  it("reads the schema through own properties only", () => {
    const schema = Object.create({ properties: { x: { format: "path" } } }) as object;
    expect(names({ x: "a" }, schema)).toEqual([]);
    const args = JSON.parse('{"__proto__": "a", "constructor": "b", "path": "c"}') as unknown;
    expect(names(args, { properties: {} })).toEqual(["path"]);
  });

  it("ignores non-string values and odd schemas", () => {
    expect(names({ path: 3, file: null, dir: true }, null)).toEqual([]);
    expect(names("just a string", "not a schema")).toEqual([]);
  });
});
