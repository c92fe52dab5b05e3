/** Reads all of standard input as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Replaces `--json -` or `--json=-` among a tool's tokens with the text of
 * standard input (the daemon cannot read the client's stdin). Only the
 * first `--json` counts; the daemon reports a second one.
 *
 * @returns the tokens, unchanged when there is no `--json -`
 */
export async function substituteStdinJson(
  tokens: readonly string[],
  read: () => Promise<string> = readStdin,
): Promise<string[]> {
  const out = [...tokens];
  for (let i = 0; i < out.length; i++) {
    const token = out[i]!;
    if (token === "--json=-") {
      out[i] = `--json=${await read()}`;
      return out;
    }
    if (token === "--json") {
      if (out[i + 1] === "-") out[i + 1] = await read();
      return out;
    }
    if (token.startsWith("--json=")) return out;
  }
  return out;
}
