import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BinaryItem } from "./output.js";

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/svg+xml": "svg",
  "image/bmp": "bmp",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/webm": "webm",
  "audio/flac": "flac",
  "application/pdf": "pdf",
  "application/zip": "zip",
  "application/json": "json",
  "text/plain": "txt",
};

/** A file name taken from a resource URI, if it is a safe plain name. */
function nameFromUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const last = uri
    .split(/[/\\?#]/)
    .filter(Boolean)
    .pop();
  if (last === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(last)) return undefined;
  return last;
}

/**
 * Writes binary content to files in one fresh private directory under the
 * system temp dir (0700, created on first use), never in the project.
 */
export class BinaryFiles {
  private dir: string | undefined;

  /**
   * Writes one item to a new 0600 file.
   *
   * @returns the file's absolute path
   */
  save(item: BinaryItem): string {
    this.dir ??= mkdtempSync(join(tmpdir(), "mcpward-"));
    const extension = (item.mimeType && EXTENSIONS[item.mimeType.toLowerCase()]) ?? "bin";
    const fromUri = nameFromUri(item.uri);
    const name = `${item.index + 1}-${fromUri ?? `${item.type}.${extension}`}`;
    const path = join(this.dir, name);
    writeFileSync(path, Buffer.from(item.data, "base64"), { mode: 0o600, flag: "wx" });
    return path;
  }
}
