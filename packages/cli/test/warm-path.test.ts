import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { servers } from "@mcpward/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, destroySandbox, runCli, type Sandbox } from "./helpers.js";

const ECHO = ["--", "node", servers.echo];
const HEAVY = /yargs|valibot|@modelcontextprotocol/;

let sandbox: Sandbox;
let register: string;
beforeAll(async () => {
  sandbox = createSandbox();
  // A loader hook that appends every resolved module URL to a file.
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
  register = join(sandbox.root, "register.mjs");
  writeFileSync(
    register,
    `import { register } from "node:module";
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out: process.env.RECORD_FILE } });
`,
  );
  // Warm the daemon up: the test is about a call that finds it running.
  expect((await runCli(sandbox, ["echo", "--text", "warm", ...ECHO])).code).toBe(0);
});
afterAll(async () => {
  await destroySandbox(sandbox);
});

async function loadedModules(args: string[], name: string): Promise<string[]> {
  const record = join(sandbox.root, `${name}.txt`);
  writeFileSync(record, "");
  const result = await runCli(sandbox, args, {
    nodeArgs: ["--import", pathToFileURL(register).href],
    env: { RECORD_FILE: record },
  });
  expect(result.stderr).toBe("");
  return readFileSync(record, "utf8").split("\n").filter(Boolean);
}

describe("warm path", () => {
  it("a tool call with the daemon running loads no yargs, SDK or valibot", async () => {
    const urls = await loadedModules(["echo", "--text", "hi", ...ECHO], "call");
    expect(urls.some((u) => u.endsWith("/dist/main.js"))).toBe(true);
    expect(urls.some((u) => u.includes("/daemon/dist/client.js"))).toBe(true);
    expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
  });

  it("tool help and errors stay on the warm path too", async () => {
    const help = await loadedModules(["echo", "--help", ...ECHO], "help");
    expect(help.filter((u) => HEAVY.test(u))).toEqual([]);
  });

  it("the recorder does see yargs when a daemon command runs (the check can fail)", async () => {
    // (`daemon status` no longer does: see daemon-fast-path.test.ts.)
    const urls = await loadedModules(["daemon", "logs"], "logs");
    expect(urls.some((u) => u.includes("yargs"))).toBe(true);
  });
});
