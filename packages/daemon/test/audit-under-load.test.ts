// The audit log under load and with secrets around: many clients on several
// daemons of one project writing one hash-chained log, and canary secrets
// that must never reach the audit, status, logs, metadata or error messages.
import { randomBytes } from "node:crypto";
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { computeProjectId } from "@mcpward/core/light";
import { servers } from "@mcpward/test-servers";
import { afterAll, describe, expect, it } from "vitest";
import { type DaemonClient, listDaemons, stopAll, stopDaemon } from "../dist/client.js";
import { verifyAudit } from "../dist/index.js";
import { createSandbox, ensure, filesBelow, resultText } from "./helpers.js";

const sandbox = createSandbox();
afterAll(() => sandbox.cleanup(), 60_000);

const env = sandbox.envWith({
  // 10,000 calls in a few seconds are over the default rate on a fast machine.
  MCPWARD_CALL_RATE: "1000000",
});

function projectWithServer(name: string): { project: string; script: string } {
  const project = sandbox.project(name);
  const script = join(project, "server.mjs");
  copyFileSync(servers.lifecycle, script);
  return { project, script };
}

function auditDir(project: string): string {
  return join(sandbox.stateDir, "audit", computeProjectId(project));
}

/** Every line of every audit file of a project. */
function auditLines(project: string): string[] {
  const dir = auditDir(project);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), "utf8")
        .split("\n")
        .filter((line) => line !== ""),
    );
}

/** A value every redaction rule treats as a credential (GitHub token shape). */
function canary(): string {
  return `ghp_${randomBytes(27).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
}

describe("audit log under load", () => {
  // 20 clients x 500 calls = 10,000 calls over 3 daemons. "Clients" are
  // protocol-level clients: 20 authenticated DaemonClient connections in this
  // process (10,000 separate CLI processes would take minutes on 2 cores and
  // test process start-up, not the log).
  it("keeps every line valid JSON and the chain intact with 20 clients x 500 calls on 3 daemons", async () => {
    const { project, script } = projectWithServer("load");
    const daemons = await Promise.all(
      [1, 2, 3].map((slot) =>
        ensure(
          sandbox,
          project,
          { command: process.execPath, args: [script], env: { SLOT: String(slot) } },
          { env },
        ),
      ),
    );
    expect(new Set(daemons.map((d) => d.daemonId)).size).toBe(3);
    for (const d of daemons) d.client.close();

    const clients: DaemonClient[] = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ensure(
          sandbox,
          project,
          { command: process.execPath, args: [script], env: { SLOT: String((i % 3) + 1) } },
          { env },
        ).then((d) => d.client),
      ),
    );
    try {
      await Promise.all(
        clients.map(async (client, i) => {
          for (let n = 0; n < 500; n++) {
            const result =
              n % 2 === 0
                ? await client.call({ tool: "increment", arguments: {}, clientPid: 1000 + i })
                : await client.call({ tool: "echo", tokens: ["--text", `c${i}-${n}`] });
            expect(resultText(result)).not.toBe("");
          }
        }),
      );
    } finally {
      for (const client of clients) client.close();
    }
    // Stopping flushes each daemon's pending records and closes its writer.
    await stopAll({ projectDir: project, env });

    const lines = auditLines(project);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const calls = records.filter((r) => r.event === "tool.call");
    expect(calls).toHaveLength(10_000);
    expect(calls.every((r) => r.outcome === "ok")).toBe(true);
    expect(new Set(calls.map((r) => r.daemon)).size).toBe(3);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));

    const verified = await verifyAudit(auditDir(project));
    expect(verified.breaks).toEqual([]);
    expect(verified).toMatchObject({ ok: true, records: lines.length, lastSeq: lines.length });
  }, 180_000);
});

describe("canary secrets", () => {
  it("keeps secrets given as env after --, as server or tool arguments and in the caller's environment out of everything mcpward writes", async () => {
    const inEnv = canary();
    // Not token-shaped: only its place after `--password` marks it secret.
    const inServerArgs = `pw-${randomBytes(12).toString("hex")}`;
    const inArgument = canary();
    const inCaller = canary();
    const { project, script } = projectWithServer("canary");
    const { client, daemonId } = await ensure(
      sandbox,
      project,
      {
        command: process.execPath,
        args: [script, "--password", inServerArgs],
        env: { GITHUB_TOKEN: inEnv },
      },
      { env: { ...env, MW_CALLER_SECRET: inCaller } },
    );
    const errors: string[] = [];
    const fail = (promise: Promise<unknown>): Promise<void> =>
      promise.then(
        () => errors.push("(no error)"),
        (error: unknown) => errors.push((error as Error).message),
      ) as Promise<never>;
    let status: Record<string, unknown>;
    try {
      expect(
        resultText(
          await client.call({ tool: "echo", tokens: ["--text", "hi", "--token", inArgument] }),
        ),
      ).toBe("hi");
      expect(
        resultText(
          await client.call({ tool: "echo", arguments: { text: "hi", token: inArgument } }),
        ),
      ).toBe("hi");
      // Errors that would repeat what the caller typed.
      await fail(client.call({ tool: "increment", tokens: ["--by", inArgument] }));
      await fail(client.call({ tool: "echo", tokens: ["--text", "x", "--tokn", inArgument] }));
      await fail(client.call({ tool: "echo", tokens: ["--text", "x", inArgument] }));
      status = await client.status();
    } finally {
      client.close();
    }
    expect(errors).not.toContain("(no error)");
    const metadata = readFileSync(
      join(sandbox.runtimeDir, computeProjectId(project), `${daemonId}.json`),
      "utf8",
    );
    const entry = listDaemons({ projectDir: project, env }).find(
      (e) => e.meta.daemonId === daemonId,
    );
    if (entry) await stopDaemon(entry);

    const written = [
      ...filesBelow(sandbox.stateDir).map((file) => ({ file, text: readFileSync(file, "utf8") })),
      { file: "status", text: JSON.stringify(status) },
      { file: "metadata", text: metadata },
      ...errors.map((text, i) => ({ file: `error ${i}`, text })),
    ];
    expect(written.some((w) => w.file.endsWith(".log"))).toBe(true);
    expect(written.some((w) => w.file.endsWith(".jsonl"))).toBe(true);
    for (const secret of [inEnv, inServerArgs, inArgument, inCaller]) {
      expect(written.filter((w) => w.text.includes(secret)).map((w) => w.file)).toEqual([]);
    }
    // The env name is kept, its value masked.
    expect(String(status.server)).toContain("GITHUB_TOKEN=***");
  });
});
