// What a user without a daemon does: spawn the server with the official SDK's
// StdioClientTransport, initialise, call one tool, print the result, exit.
//
//   node bench/sdk-oneshot.mjs <tool> '<json arguments>' -- <command> [args...]
import { Client } from "../fixtures/node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.js";
import { StdioClientTransport } from "../fixtures/node_modules/@modelcontextprotocol/sdk/dist/esm/client/stdio.js";

const argv = process.argv.slice(2);
const dashes = argv.indexOf("--");
if (dashes < 2 || dashes === argv.length - 1) {
  process.stderr.write("usage: sdk-oneshot.mjs <tool> <json args> -- <command> [args...]\n");
  process.exit(2);
}
const [tool, json] = argv;
const [command, ...args] = argv.slice(dashes + 1);

const client = new Client({ name: "mcpward-bench-oneshot", version: "0.0.0" });
await client.connect(new StdioClientTransport({ command, args, stderr: "inherit" }));
const result = await client.callTool({ name: tool, arguments: JSON.parse(json) });
for (const item of result.content ?? []) {
  if (item.type === "text") process.stdout.write(`${item.text}\n`);
}
await client.close();
process.exitCode = result.isError ? 1 : 0;
