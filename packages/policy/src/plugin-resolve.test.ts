import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { McpwardError } from "@mcpward/core";
import { beforeEach, describe, expect, it } from "vitest";
import { type PolicySource, resolvePolicy } from "./plugin-resolve.js";

let root: string;
let project: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-resolve-")));
  project = join(root, "project");
  mkdirSync(project);
});

function write(path: string, text = "export default { name: 'p' };"): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function install(
  dir: string,
  name: string,
  manifest: Record<string, unknown>,
  files: string[],
): string {
  const pkg = join(dir, "node_modules", name);
  write(join(pkg, "package.json"), JSON.stringify({ name, ...manifest }));
  for (const file of files) write(join(pkg, file));
  return pkg;
}

const project_ = (specifier: string): PolicySource => ({ specifier, origin: "project" });

async function failure(source: PolicySource): Promise<McpwardError> {
  try {
    await resolvePolicy(project, source);
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${source.specifier} to fail`);
}

describe("resolvePolicy: attacks", () => {
  it("refuses URLs, including data: and file:", async () => {
    for (const specifier of [
      "data:text/javascript,1",
      "file:///etc/passwd",
      "https://x.test/p.js",
      "node:fs",
    ]) {
      expect((await failure(project_(specifier))).message).toContain("is a URL");
    }
  });

  it("keeps project paths inside the project, symlinks included", async () => {
    write(join(root, "outside.mjs"));
    expect((await failure(project_("../outside.mjs"))).message).toContain(
      "resolves outside the project",
    );
    symlinkSync(join(root, "outside.mjs"), join(project, "link.mjs"));
    expect((await failure(project_("./link.mjs"))).message).toContain(
      "resolves outside the project",
    );
    expect((await failure(project_(join(root, "outside.mjs")))).message).toContain("absolute path");
  });

  it("refuses a package planted where others can write", async () => {
    const pkg = install(project, "planted", { exports: "./index.js" }, ["index.js"]);
    chmodSync(pkg, 0o777);
    expect((await failure(project_("planted"))).message).toContain("writable by anyone");
    if (process.getuid?.() !== 0) return; // chown needs root
    chmodSync(pkg, 0o755);
    chownSync(pkg, 4321, 4321);
    expect((await failure(project_("planted"))).message).toContain("not yours");
  });

  it("refuses an export that points outside its package", async () => {
    install(project, "escape", { exports: "./../../x.js" }, []);
    expect((await failure(project_("escape"))).message).toContain("outside its package");
    install(project, "escape2", { main: "../../../x.js" }, []);
    expect((await failure(project_("escape2"))).message).toContain("outside its package");
  });
});

describe("resolvePolicy", () => {
  it("resolves ./ files in the project and hashes them", async () => {
    const file = write(join(project, "policies", "team.js"));
    const resolved = await resolvePolicy(project, project_("./policies/team.js"));
    expect(resolved).toEqual({
      specifier: "./policies/team.js",
      origin: "project",
      path: file,
      contentHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("follows exports with import/node/default conditions, subpaths and patterns", async () => {
    install(
      project,
      "@acme/policy",
      {
        exports: {
          ".": { require: "./cjs.cjs", import: "./esm.js" },
          "./strict": { node: { default: "./strict.js" } },
          "./rules/*": "./rules/*.js",
        },
      },
      ["cjs.cjs", "esm.js", "strict.js", "rules/prod.js"],
    );
    const base = join(project, "node_modules", "@acme", "policy");
    expect((await resolvePolicy(project, project_("@acme/policy"))).path).toBe(
      join(base, "esm.js"),
    );
    expect((await resolvePolicy(project, project_("@acme/policy/strict"))).path).toBe(
      join(base, "strict.js"),
    );
    expect((await resolvePolicy(project, project_("@acme/policy/rules/prod"))).path).toBe(
      join(base, "rules", "prod.js"),
    );
    expect((await failure(project_("@acme/policy/hidden"))).message).toContain("is not exported");
  });

  it("falls back to main and index.js without exports, and looks in parent node_modules", async () => {
    install(root, "hoisted", { main: "lib/main.js" }, ["lib/main.js"]);
    install(project, "plain", {}, ["index.js"]);
    expect((await resolvePolicy(project, project_("hoisted"))).path).toBe(
      join(root, "node_modules", "hoisted", "lib", "main.js"),
    );
    expect((await resolvePolicy(project, project_("plain"))).path).toBe(
      join(project, "node_modules", "plain", "index.js"),
    );
    expect((await failure(project_("not-installed"))).message).toContain(
      "was not found in node_modules",
    );
  });

  it("resolves a user plugin's bare name from the user config directory, and allows absolute paths", async () => {
    const configDir = join(root, "config");
    install(configDir, "mine", { exports: "./index.js" }, ["index.js"]);
    const user = {
      specifier: "mine",
      origin: "user" as const,
      file: join(configDir, "config.json"),
    };
    expect((await resolvePolicy(project, user)).path).toBe(
      join(configDir, "node_modules", "mine", "index.js"),
    );
    const absolute = write(join(root, "abs.mjs"));
    expect((await resolvePolicy(project, { specifier: absolute, origin: "user" })).path).toBe(
      absolute,
    );
  });
});
