import { McpwardError } from "./errors.js";

/** Keys that can reach an object's prototype when assigned or merged. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Limits for {@link deepSanitize}. */
export interface SanitizeOptions {
  /** Deepest nesting allowed (default 64). */
  maxDepth?: number;
  /** Approximate total size allowed, in bytes of JSON (default 16 MiB). */
  maxBytes?: number;
}

/** True for `__proto__`, `constructor` and `prototype`. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/**
 * Copies a JSON-like value, dropping `__proto__`, `constructor` and
 * `prototype` keys at any depth and returning null-prototype objects, so the
 * result is safe to merge, spread or look up by key. Non-JSON values
 * (functions, symbols, undefined in arrays) become null; non-finite numbers
 * become null, as JSON would.
 *
 * @throws McpwardError `LIMIT_EXCEEDED` when nesting is deeper than
 *   `maxDepth` or the value is larger than `maxBytes` (checked as it walks, so
 *   a 200,000-deep array fails fast instead of overflowing the stack).
 */
export function deepSanitize<T = unknown>(value: unknown, options: SanitizeOptions = {}): T {
  const maxDepth = options.maxDepth ?? 64;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  let bytes = 0;

  const count = (n: number): void => {
    bytes += n;
    if (bytes > maxBytes) {
      throw new McpwardError(
        "LIMIT_EXCEEDED",
        `value is larger than ${maxBytes} bytes; send less data or raise the limit`,
      );
    }
  };

  const walk = (node: unknown, depth: number): unknown => {
    if (node === null) {
      count(4);
      return null;
    }
    switch (typeof node) {
      case "string":
        count(node.length + 2);
        return node;
      case "number":
        count(8);
        return Number.isFinite(node) ? node : null;
      case "boolean":
        count(5);
        return node;
      case "object":
        break;
      default:
        count(4);
        return null;
    }
    if (depth >= maxDepth) {
      throw new McpwardError(
        "LIMIT_EXCEEDED",
        `value is nested deeper than ${maxDepth} levels; flatten it`,
      );
    }
    count(2);
    if (Array.isArray(node)) {
      const out: unknown[] = new Array(node.length);
      for (let i = 0; i < node.length; i++) out[i] = walk(node[i], depth + 1);
      return out;
    }
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(node)) {
      if (PROTOTYPE_KEYS.has(key)) continue;
      count(key.length + 3);
      out[key] = walk((node as Record<string, unknown>)[key], depth + 1);
    }
    return out;
  };

  try {
    return walk(value, 0) as T;
  } catch (error) {
    // A caller-raised maxDepth can exceed what the stack holds: still an
    // McpwardError, not a stack overflow escaping to the caller.
    if (error instanceof RangeError) {
      throw new McpwardError(
        "LIMIT_EXCEEDED",
        "value is nested too deeply to copy; flatten it or lower maxDepth",
        { cause: error },
      );
    }
    throw error;
  }
}
