import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The warm CLI path imports only `@mcpward/core/light`; DESIGN.md §1 promises it
// loads Node built-ins and core's own files, nothing from node_modules. This
// checks the built output, which is what the CLI really loads.

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const distDir = join(packageDir, "dist");

// Records every module the loader resolves, synchronously (the main thread
// waits for each resolve), so the list is complete once the import is done.
const HOOKS = `
import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + "\\n");
  return result;
}
`;

const REGISTER = `
import { register } from "node:module";
register(new URL("./hooks.mjs", import.meta.url), { data: { log: process.env.MODULE_LOG } });
`;

let dir = "";

beforeAll(() => {
  if (!existsSync(join(distDir, "light.js"))) {
    // The turbo test task builds first; this covers a bare `vitest run`.
    execFileSync(join(packageDir, "../../node_modules/.bin/tsup"), [], {
      cwd: packageDir,
      stdio: "ignore",
    });
  }
  dir = mkdtempSync(join(tmpdir(), "mcpward-light-"));
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  writeFileSync(join(dir, "register.mjs"), REGISTER);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Imports `entry` in a fresh node and returns every module URL it resolved. */
function modulesLoadedBy(entry: string, name: string): string[] {
  const log = join(dir, `${name}.log`);
  const main = join(dir, `${name}.mjs`);
  writeFileSync(main, `await import(${JSON.stringify(pathToFileURL(entry).href)});\n`);
  execFileSync(
    process.execPath,
    ["--import", pathToFileURL(join(dir, "register.mjs")).href, main],
    {
      env: { ...process.env, MODULE_LOG: log },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

describe("@mcpward/core/light", () => {
  it("loads no third-party module, only Node built-ins and core's own dist files", () => {
    const loaded = modulesLoadedBy(join(distDir, "light.js"), "light");
    const distUrl = pathToFileURL(distDir).href;
    const foreign = loaded.filter(
      (url) =>
        !url.startsWith("node:") &&
        !url.startsWith(`${distUrl}/`) &&
        url !== pathToFileURL(join(dir, "light.mjs")).href,
    );
    expect(foreign).toEqual([]);
    expect(loaded.filter((url) => url.includes("node_modules") || url.includes("valibot"))).toEqual(
      [],
    );
    expect(loaded).toContain(`${distUrl}/light.js`);
  });

  it("is checked by a harness that does see valibot behind the main entry", () => {
    // Without this, a harness that recorded nothing would pass the test above.
    const loaded = modulesLoadedBy(join(distDir, "index.js"), "index");
    expect(loaded.some((url) => url.includes("/node_modules/") && url.includes("valibot"))).toBe(
      true,
    );
  });
});
