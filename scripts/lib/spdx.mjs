// SPDX licence expressions against an allowlist, for check-licenses.

/** Licences a production dependency may have. */
export const ALLOWED = new Set([
  "MIT",
  "ISC",
  "Apache-2.0",
  "BSD-2-Clause",
  "BSD-3-Clause",
  "0BSD",
]);

/**
 * Whether an SPDX licence expression is allowed: OR needs one allowed side,
 * AND needs both, `WITH` exceptions are not allowed (review them by hand).
 */
export function expressionAllowed(expression, allowed = ALLOWED) {
  const tokens = expression
    .replace(/([()])/g, " $1 ")
    .trim()
    .split(/\s+/);
  let at = 0;
  const peek = () => tokens[at];
  const primary = () => {
    const token = tokens[at++];
    if (token === "(") {
      const value = or();
      if (tokens[at++] !== ")") throw new Error(`unbalanced "${expression}"`);
      return value;
    }
    if (token === undefined || token === ")") throw new Error(`cannot read "${expression}"`);
    if (peek()?.toUpperCase() === "WITH") {
      at += 2;
      return false;
    }
    return allowed.has(token.replace(/\+$/, ""));
  };
  const and = () => {
    let value = primary();
    while (peek()?.toUpperCase() === "AND") {
      at++;
      value = primary() && value;
    }
    return value;
  };
  const or = () => {
    let value = and();
    while (peek()?.toUpperCase() === "OR") {
      at++;
      value = and() || value;
    }
    return value;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`cannot read "${expression}"`);
  return value;
}
