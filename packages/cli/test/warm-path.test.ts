import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, destroySandbox, runCli, type Sandbox } from "./helpers.js";

const ECHO = ["--", "node", servers.echo];
const HEAVY = /yargs|valibot|zod|@modelcontextprotocol|\/policy\//;
const PACKAGES = fileURLToPath(new URL("../../", import.meta.url));
/** The files a warm call may load: the bin, its bundle and the daemon's client bundle. */
const WARM_FILES = ["cli/bin/mcpward.cjs", "cli/dist/main.cjs", "daemon/dist/client.cjs"];

/** What one CLI run loaded. */
interface Loaded {
  /** CommonJS files (require.cache), relative to packages/ when inside it. */
  cjs: string[];
  /** URLs the ESM loader resolved (loader hooks), built-ins left out. */
  esm: string[];
  /** Node built-in modules (process.moduleLoadList), internal ones left out. */
  builtins: string[];
}

let sandbox: Sandbox;
let recorder: string;
beforeAll(async () => {
  sandbox = createSandbox();
  // A --require preload: at exit it records require.cache and the built-ins;
  // the loader hooks it registers record every ESM module resolved (for
  // dynamic imports of the lazily loaded ESM files). Registering hooks from a
  // preload, unlike --import, leaves the bin itself to the CommonJS loader.
  const hooks = join(sandbox.root, "record-hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, result.url + "\\n");
  return result;
}
`,
  );
  recorder = join(sandbox.root, "record.cjs");
  writeFileSync(
    recorder,
    `const { appendFileSync, writeFileSync } = require("node:fs");
const { register } = require("node:module");
const out = process.env.RECORD_FILE;
writeFileSync(out + ".esm", "");
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out: out + ".esm" } });
process.on("exit", () => {
  const cjs = Object.keys(require.cache).filter((file) => file !== __filename);
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith("NativeModule ") && !m.startsWith("NativeModule internal/"))
    .map((m) => m.slice("NativeModule ".length));
  writeFileSync(out, JSON.stringify({ cjs, builtins }));
});
`,
  );
  // Warm the daemon up: the test is about a call that finds it running.
  expect((await runCli(sandbox, ["echo", "--text", "warm", ...ECHO])).code).toBe(0);
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

/** Runs the CLI under the recorder and checks its exit code. */
async function loaded(args: string[], name: string, code = 0): Promise<Loaded> {
  const record = join(sandbox.root, `${name}.json`);
  const result = await runCli(sandbox, args, {
    nodeArgs: ["--require", recorder],
    env: { RECORD_FILE: record },
  });
  expect(result.code, result.stderr).toBe(code);
  const { cjs, builtins } = JSON.parse(readFileSync(record, "utf8")) as {
    cjs: string[];
    builtins: string[];
  };
  const esm = readFileSync(`${record}.esm`, "utf8")
    .split("\n")
    .filter((url) => url !== "" && !url.startsWith("node:"));
  return {
    cjs: cjs.map((file) => (file.startsWith(PACKAGES) ? relative(PACKAGES, file) : file)).sort(),
    esm,
    builtins,
  };
}

function expectWarm(modules: Loaded): void {
  expect(modules.cjs).toEqual(WARM_FILES);
  expect(modules.esm).toEqual([]);
  // Loaded on first use only: a warm call neither spawns nor times itself.
  expect(modules.builtins).not.toContain("child_process");
  expect(modules.builtins).not.toContain("perf_hooks");
}

describe("warm path", () => {
  it("a tool call with the daemon running loads only the bin and the two bundles", async () => {
    expectWarm(await loaded(["echo", "--text", "hi", ...ECHO], "call"));
  });

  it("tool help and errors stay on the warm path too", async () => {
    expectWarm(await loaded(["echo", "--help", ...ECHO], "help"));
    expectWarm(await loaded(["echo", "--nope", "1", ...ECHO], "error", 2));
  });

  it("a call that has to start the daemon loads no more of our files (child_process only)", async () => {
    expect((await runCli(sandbox, ["daemon", "stop", "--all"])).code).toBe(0);
    const modules = await loaded(["echo", "--text", "hi", ...ECHO], "cold");
    expect(modules.cjs).toEqual(WARM_FILES);
    expect(modules.esm).toEqual([]);
    expect(modules.builtins).toContain("child_process");
  });

  it("the recorder sees ESM files and yargs when a daemon command runs (the check can fail)", async () => {
    // (`daemon status` no longer does: see daemon-fast-path.test.ts.)
    const modules = await loaded(["daemon", "logs"], "logs");
    expect(modules.esm.some((url) => url.endsWith("/cli/dist/commands/program.js"))).toBe(true);
    expect(modules.esm.some((url) => HEAVY.test(url))).toBe(true);
  });

  it("the recorder sees built-ins loaded on demand (--debug loads perf_hooks)", async () => {
    const modules = await loaded(["--debug", "echo", "--text", "hi", ...ECHO], "debug");
    expect(modules.builtins).toContain("perf_hooks");
    expect(modules.cjs).toEqual(WARM_FILES);
  });
});
