import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TrustStore } from "../src/trust-store.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

function approveInChild(
  env: Record<string, string>,
  project: string,
  tool: string,
): Promise<number> {
  const script = `
    const { TrustStore } = await import(${JSON.stringify(dist)});
    const store = TrustStore.open();
    for (let i = 0; i < 5; i++) {
      store.approveTool({ projectDir: ${JSON.stringify(project)}, serverKey: "k", contentHash: "h", tool: ${JSON.stringify(tool)} + "-" + i });
    }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

describe("trust store with concurrent writers", () => {
  it("keeps every record and never tears the file", async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-trust-race-")));
    const project = join(root, "project");
    mkdirSync(project);
    const env = { MCPWARD_CONFIG_DIR: join(root, "config") };
    const writers = Array.from({ length: 8 }, (_, i) => approveInChild(env, project, `tool${i}`));
    expect(await Promise.all(writers)).toEqual(Array(8).fill(0));
    const saved = JSON.parse(readFileSync(join(root, "config", "trust.json"), "utf8"));
    expect(saved.records).toHaveLength(40);
    expect(TrustStore.open(env).list()).toHaveLength(40);
  }, 30_000);
});
