import { closeSync, constants, fstatSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ensurePrivateDir, REDACTED, redactSecrets } from "@mcpward/core";

/** Options of {@link ServerLog}. */
export interface ServerLogOptions {
  /** Largest size of the file before it is rotated to `<path>.1`. */
  maxBytes: number;
  /** How many recent stderr lines to keep for status and errors. */
  tailLines: number;
  /** Exact values to mask (the explicit env values given after `--`). */
  secrets: readonly string[];
}

/**
 * The daemon's log: the server's stderr and the daemon's own events, one
 * line each, secrets masked, in a 0600 file that rotates at a size cap (one
 * old generation kept), plus the last few stderr lines in memory.
 */
export class ServerLog {
  private fd: number | null = null;
  private size = 0;
  private readonly tail: string[] = [];
  private readonly secrets: string[];

  constructor(
    readonly path: string,
    private readonly options: ServerLogOptions,
  ) {
    // Short values would mask ordinary words; they are not worth hiding.
    this.secrets = options.secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  }

  /** Masks explicit env values and token-shaped secrets in one line. */
  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return redactSecrets(out);
  }

  /** Masks every string inside a JSON-like value (for approval prompts). */
  maskValue<T>(value: T): T {
    if (typeof value === "string") return this.mask(value) as T;
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((item) => this.maskValue(item)) as T;
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, inner] of Object.entries(value)) out[key] = this.maskValue(inner);
    return redactSecrets(out) as T;
  }

  /** Records one line of the server's stderr. */
  stderr(line: string): string {
    const masked = this.mask(line);
    this.tail.push(masked);
    if (this.tail.length > this.options.tailLines) this.tail.shift();
    this.write(`${new Date().toISOString()} server: ${masked}`);
    return masked;
  }

  /** Records a daemon event. */
  event(message: string): void {
    this.write(`${new Date().toISOString()} daemon: ${this.mask(message)}`);
  }

  /** The most recent stderr lines, oldest first. */
  recentStderr(): string[] {
    return [...this.tail];
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private write(line: string): void {
    try {
      if (this.fd === null) this.open();
      const data = `${line.slice(0, 16 * 1024)}\n`;
      if (this.size + data.length > this.options.maxBytes) this.rotate();
      this.size += writeSync(this.fd!, data);
    } catch {
      // A full disk or a removed directory must not take the daemon down.
    }
  }

  private open(): void {
    ensurePrivateDir(dirname(this.path));
    this.fd = openSync(
      this.path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    renameSync(this.path, `${this.path}.1`);
    this.open();
  }
}
