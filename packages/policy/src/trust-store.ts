/**
 * The user's trust store: approvals remembered per project, each tied to the
 * content it approved (an executable's hash, a config entry's hash), so a
 * change asks again. It lives in the user's config directory, never in a
 * project: a repository cannot trust itself.
 */

import { realpathSync } from "node:fs";
import { join } from "node:path";
import { computeProjectId, configRoot, McpwardError } from "@mcpward/core";
import { fileStamp, readTrustFile, type TrustRecord, updateTrustFile } from "./trust-file.js";

export type { TrustRecord } from "./trust-file.js";

type Env = Readonly<Record<string, string | undefined>>;

/** A third-party server, by identity and content. */
export interface ServerApproval {
  projectDir: string;
  /** The caller's identity for the server (e.g. its daemon id: command, args, env names). */
  serverKey: string;
  /** From {@link hashExecutable}. */
  contentHash: string;
}

/** A server declared in the project config, by name and entry hash. */
export interface ConfigServerApproval {
  projectDir: string;
  name: string;
  /** `ResolvedServer.configHash`. */
  configHash: string;
}

/** An "always" answer for one tool of one server (of that content). */
export interface ToolApproval extends ServerApproval {
  tool: string;
}

/** A policy plugin named in the project config, by specifier and file hash. */
export interface PolicyApproval {
  projectDir: string;
  specifier: string;
  contentHash: string;
}

function project(projectDir: string): { projectId: string; projectDir: string } {
  try {
    const real = realpathSync(projectDir);
    return { projectId: computeProjectId(real), projectDir: real };
  } catch (error) {
    throw new McpwardError("USAGE", `project directory ${projectDir} not found; cd into it`, {
      cause: error,
    });
  }
}

function text(name: string, value: string): string {
  if (typeof value !== "string" || value === "" || value.length > 4096) {
    throw new TypeError(
      `trust store: ${name} must be a non-empty string of at most 4096 characters`,
    );
  }
  return value;
}

/**
 * Approvals in `<configRoot>/trust.json`. Checks re-read the file when it
 * changed (another process may have approved or revoked); every change is
 * written atomically under a lock after a fresh read.
 */
export class TrustStore {
  /** Absolute path of trust.json. */
  readonly path: string;
  #stamp: string | null = null;
  #records: TrustRecord[] = [];

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens the trust store of the user whose environment is given, reading it
   * once so a bad file is reported at once.
   *
   * @throws McpwardError `UNSAFE_PATH` (symlink, foreign or writable file) or
   *   `BAD_CONFIG` (corrupt file)
   */
  static open(env: Env = process.env): TrustStore {
    const store = new TrustStore(join(configRoot(env), "trust.json"));
    store.#current();
    return store;
  }

  #current(): TrustRecord[] {
    const stamp = fileStamp(this.path);
    if (stamp === null || stamp !== this.#stamp) {
      this.#records = readTrustFile(this.path);
      this.#stamp = stamp;
    }
    return this.#records;
  }

  #update(change: (records: TrustRecord[]) => TrustRecord[]): void {
    this.#records = updateTrustFile(this.path, change);
    this.#stamp = fileStamp(this.path);
  }

  #has(match: (record: TrustRecord) => boolean): boolean {
    return this.#current().some(match);
  }

  /** Replaces the records `same` matches with `record`. */
  #put(record: TrustRecord, same: (other: TrustRecord) => boolean): void {
    this.#update((records) => [...records.filter((other) => !same(other)), record]);
  }

  #remove(match: (record: TrustRecord) => boolean): number {
    let removed = 0;
    this.#update((records) => {
      const kept = records.filter((record) => !match(record));
      removed = records.length - kept.length;
      return kept;
    });
    return removed;
  }

  /** True when this server, with exactly this content, was approved in this project. */
  isServerApproved(a: ServerApproval): boolean {
    const { projectId } = project(a.projectDir);
    return this.#has(
      (r) =>
        r.kind === "server" &&
        r.projectId === projectId &&
        r.serverKey === a.serverKey &&
        r.contentHash === a.contentHash,
    );
  }

  /** Remembers a server approval (replacing one for older content). */
  approveServer(a: ServerApproval & { label?: string }): void {
    const p = project(a.projectDir);
    const record: TrustRecord = {
      kind: "server",
      ...p,
      serverKey: text("serverKey", a.serverKey),
      contentHash: text("contentHash", a.contentHash),
      approvedAt: new Date().toISOString(),
      ...(a.label === undefined ? {} : { label: a.label.slice(0, 500) }),
    };
    this.#put(
      record,
      (r) => r.kind === "server" && r.projectId === p.projectId && r.serverKey === a.serverKey,
    );
  }

  /** Forgets a server's approval and its tool approvals; returns how many records went. */
  revokeServer(a: { projectDir: string; serverKey: string }): number {
    const { projectId } = project(a.projectDir);
    return this.#remove(
      (r) =>
        (r.kind === "server" || r.kind === "tool") &&
        r.projectId === projectId &&
        r.serverKey === a.serverKey,
    );
  }

  /** True when this project-config server, with exactly this entry, was approved. */
  isConfigServerApproved(a: ConfigServerApproval): boolean {
    const { projectId } = project(a.projectDir);
    return this.#has(
      (r) =>
        r.kind === "config-server" &&
        r.projectId === projectId &&
        r.name === a.name &&
        r.configHash === a.configHash,
    );
  }

  /** Remembers a project-config server approval (replacing one for an older entry). */
  approveConfigServer(a: ConfigServerApproval): void {
    const p = project(a.projectDir);
    const record: TrustRecord = {
      kind: "config-server",
      ...p,
      name: text("name", a.name),
      configHash: text("configHash", a.configHash),
      approvedAt: new Date().toISOString(),
    };
    this.#put(
      record,
      (r) => r.kind === "config-server" && r.projectId === p.projectId && r.name === a.name,
    );
  }

  /** Forgets a project-config server approval. */
  revokeConfigServer(a: { projectDir: string; name: string }): number {
    const { projectId } = project(a.projectDir);
    return this.#remove(
      (r) => r.kind === "config-server" && r.projectId === projectId && r.name === a.name,
    );
  }

  /** True when "always" was answered for this tool of this server (of this content). */
  isToolApproved(a: ToolApproval): boolean {
    const { projectId } = project(a.projectDir);
    return this.#has(
      (r) =>
        r.kind === "tool" &&
        r.projectId === projectId &&
        r.serverKey === a.serverKey &&
        r.contentHash === a.contentHash &&
        r.tool === a.tool,
    );
  }

  /** Remembers an "always" answer for one tool. */
  approveTool(a: ToolApproval): void {
    const p = project(a.projectDir);
    const record: TrustRecord = {
      kind: "tool",
      ...p,
      serverKey: text("serverKey", a.serverKey),
      contentHash: text("contentHash", a.contentHash),
      tool: a.tool,
      approvedAt: new Date().toISOString(),
    };
    this.#put(
      record,
      (r) =>
        r.kind === "tool" &&
        r.projectId === p.projectId &&
        r.serverKey === a.serverKey &&
        r.tool === a.tool,
    );
  }

  /** Forgets tool approvals of a server: one tool, or all when `tool` is omitted. */
  revokeTool(a: { projectDir: string; serverKey: string; tool?: string }): number {
    const { projectId } = project(a.projectDir);
    return this.#remove(
      (r) =>
        r.kind === "tool" &&
        r.projectId === projectId &&
        r.serverKey === a.serverKey &&
        (a.tool === undefined || r.tool === a.tool),
    );
  }

  /** True when this project-config policy plugin, with this content, was approved. */
  isPolicyApproved(a: PolicyApproval): boolean {
    const { projectId } = project(a.projectDir);
    return this.#has(
      (r) =>
        r.kind === "policy" &&
        r.projectId === projectId &&
        r.specifier === a.specifier &&
        r.contentHash === a.contentHash,
    );
  }

  /** Remembers a policy plugin approval (replacing one for older content). */
  approvePolicy(a: PolicyApproval): void {
    const p = project(a.projectDir);
    const record: TrustRecord = {
      kind: "policy",
      ...p,
      specifier: text("specifier", a.specifier),
      contentHash: text("contentHash", a.contentHash),
      approvedAt: new Date().toISOString(),
    };
    this.#put(
      record,
      (r) => r.kind === "policy" && r.projectId === p.projectId && r.specifier === a.specifier,
    );
  }

  /** Forgets a policy plugin approval. */
  revokePolicy(a: { projectDir: string; specifier: string }): number {
    const { projectId } = project(a.projectDir);
    return this.#remove(
      (r) => r.kind === "policy" && r.projectId === projectId && r.specifier === a.specifier,
    );
  }

  /** Forgets every approval for a project. */
  revokeProject(projectDir: string): number {
    const { projectId } = project(projectDir);
    return this.#remove((r) => r.projectId === projectId);
  }

  /** Every approval, oldest first (copies). */
  list(): TrustRecord[] {
    return this.#current().map((record) => ({ ...record }));
  }
}
