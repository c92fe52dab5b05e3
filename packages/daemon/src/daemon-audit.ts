import { join } from "node:path";
import { stateRoot } from "@mcpward/core";
import type { AuditEntry } from "./audit/index.js";
import { AuditWriter } from "./audit/index.js";
import type { DaemonSpec } from "./daemon-spec.js";
import type { ServerLog } from "./server-log.js";

type Event = Omit<AuditEntry, "project" | "projectDir" | "daemon" | "server">;

/**
 * The daemon's side of the audit log: fills in the project, daemon and
 * server of every record and never lets a failed write reach a caller (it
 * goes to the daemon log instead).
 */
export class DaemonAudit {
  private readonly writer: AuditWriter | null;

  constructor(
    private readonly spec: DaemonSpec,
    env: Readonly<Record<string, string | undefined>>,
    private readonly log: ServerLog,
  ) {
    let writer: AuditWriter | null = null;
    try {
      writer = AuditWriter.open({
        dir: join(stateRoot(env), "audit", spec.projectId),
        secrets: Object.values(spec.env),
      });
    } catch (error) {
      log.event(`audit log unavailable: ${(error as Error).message}`);
    }
    this.writer = writer;
  }

  /** Appends one record (asynchronously; failures are logged). */
  record(entry: Event): void {
    this.writer
      ?.append({
        ...entry,
        project: this.spec.projectId,
        projectDir: this.spec.projectDir,
        daemon: this.spec.daemonId,
        server: { command: this.spec.command, args: this.spec.args, env: this.spec.env },
      })
      .catch((error: unknown) => this.log.event(`audit write failed: ${(error as Error).message}`));
  }

  async close(): Promise<void> {
    await this.writer?.close();
  }
}
