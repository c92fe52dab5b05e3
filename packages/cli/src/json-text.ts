/**
 * Re-indents JSON text without parsing it into values, so numbers keep
 * their exact digits (JSON.parse would round 12345678901234567890) and key
 * order is unchanged.
 *
 * @param text - valid JSON (the caller checks with {@link looksLikeJsonDocument})
 * @param indent - spaces per level; 0 for compact output
 */
export function reindentJson(text: string, indent: number): string {
  const out: string[] = [];
  const pad = (depth: number): string => (indent > 0 ? `\n${" ".repeat(indent * depth)}` : "");
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out.push(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (ch === " " || ch === "\n" || ch === "\r" || ch === "\t") {
      i++;
      continue;
    }
    if (ch === "{" || ch === "[") {
      // Empty containers stay on one line.
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      const close = ch === "{" ? "}" : "]";
      if (text[j] === close) {
        out.push(ch + close);
        i = j + 1;
        continue;
      }
      depth++;
      out.push(ch + pad(depth));
    } else if (ch === "}" || ch === "]") {
      depth--;
      out.push(pad(depth) + ch);
    } else if (ch === ",") {
      out.push(`,${pad(depth)}`);
    } else if (ch === ":") {
      out.push(indent > 0 ? ": " : ":");
    } else {
      let j = i;
      while (j < text.length && !/[\s,:{}[\]"]/.test(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
      continue;
    }
    i++;
  }
  return out.join("");
}

/** Text longer than this is printed as is: reformatting it is not worth the time. */
const MAX_REFORMAT_CHARS = 8 * 1024 * 1024;

/**
 * True when `text` is one JSON object or array (not a bare number or
 * string, which are printed as they are).
 */
export function looksLikeJsonDocument(text: string): boolean {
  const start = text.trimStart()[0];
  if ((start !== "{" && start !== "[") || text.length > MAX_REFORMAT_CHARS) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
