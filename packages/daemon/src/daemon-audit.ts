import { join } from "node:path";
import { stateRoot } from "@mcpward/core";
import type { AuditEntry } from "./audit/index.js";
import { AuditWriter } from "./audit/index.js";
import type { DaemonSpec } from "./daemon-spec.js";
import type { ServerLog } from "./server-log.js";
import { specSecrets } from "./spec-secrets.js";

type Event = Omit<AuditEntry, "project" | "projectDir" | "daemon" | "server">;

/**
 * The daemon's side of the audit log: fills in the project, daemon and
 * server of every record and never lets a failed write reach a caller (it
 * goes to the daemon log instead).
 */
export class DaemonAudit {
  private readonly writer: AuditWriter | null;
  private pending = 0;
  /** Records of the current turn, not yet handed to the writer. */
  private readonly queued: Event[] = [];
  private readonly drained: Array<() => void> = [];

  constructor(
    private readonly spec: DaemonSpec,
    env: Readonly<Record<string, string | undefined>>,
    private readonly log: ServerLog,
  ) {
    let writer: AuditWriter | null = null;
    try {
      writer = AuditWriter.open({
        dir: join(stateRoot(env), "audit", spec.projectId),
        secrets: specSecrets(spec),
      });
    } catch (error) {
      log.event(`audit log unavailable: ${(error as Error).message}`);
    }
    this.writer = writer;
  }

  /**
   * Appends one record after the current turn of the event loop, so the
   * answer to the client goes out before the audit work (masking, writing).
   * The records of one turn are handed to the writer together, which writes
   * them as one batch, in order. Failures are logged.
   */
  record(entry: Event): void {
    if (!this.writer) return;
    this.queued.push(entry);
    this.pending++;
    if (this.queued.length === 1) setImmediate(() => this.hand());
  }

  private hand(): void {
    const writer = this.writer;
    if (!writer) return;
    const server = { command: this.spec.command, args: this.spec.args, env: this.spec.env };
    for (const entry of this.queued.splice(0)) {
      writer
        .write({
          ...entry,
          project: this.spec.projectId,
          projectDir: this.spec.projectDir,
          daemon: this.spec.daemonId,
          server,
        })
        .catch((error: unknown) =>
          this.log.event(`audit write failed: ${(error as Error).message}`),
        )
        .finally(() => {
          this.pending--;
          if (this.pending === 0) for (const resolve of this.drained.splice(0)) resolve();
        });
    }
  }

  /** Waits for queued records, then closes the writer. */
  async close(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
    await this.writer?.close();
  }
}
