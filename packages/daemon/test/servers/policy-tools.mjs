// A dependency-free MCP server for the policy tests: newline-delimited
// JSON-RPC on stdin/stdout, no SDK, no imports outside Node, so a test can copy
// this one file anywhere (a project, a world-writable directory, a directory
// owned by someone else) and still start it.
//
// Tools: names that tool rules match by glob (get_weather, delete_file,
// run_sql), names that are also Object.prototype properties (__proto__,
// constructor, toString), a path argument declared with `format: "path"`
// (read_file), a read-only tool (echo), the server's environment (env) and an
// exit (quit) so a test can make the daemon restart the server.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const text = (value) => ({ content: [{ type: "text", text: String(value) }] });
const none = { type: "object", properties: {} };

const tools = [
  {
    name: "echo",
    description: "Return the given text unchanged.",
    inputSchema: { type: "object", properties: { text: { type: "string" } } },
    annotations: { readOnlyHint: true },
    run: (args) => text(args.text ?? ""),
  },
  {
    name: "get_weather",
    description: "Get the (always sunny) weather for a city.",
    inputSchema: { type: "object", properties: { city: { type: "string" } } },
    run: (args) => text(`sunny in ${args.city ?? "nowhere"}`),
  },
  {
    name: "delete_file",
    description: "Pretend to delete a file.",
    inputSchema: { type: "object", properties: { target: { type: "string" } } },
    run: () => text("deleted"),
  },
  {
    name: "run_sql",
    description: "Pretend to run a statement.",
    inputSchema: { type: "object", properties: { sql: { type: "string" } } },
    run: () => text("0 rows"),
  },
  {
    name: "read_file",
    description: "Return the first line of a file.",
    inputSchema: {
      type: "object",
      properties: { location: { type: "string", format: "path" } },
      required: ["location"],
    },
    annotations: { readOnlyHint: true },
    run: (args) => text(readFileSync(args.location, "utf8").split("\n")[0]),
  },
  { name: "__proto__", description: "A tool named __proto__.", inputSchema: none },
  { name: "constructor", description: "A tool named constructor.", inputSchema: none },
  { name: "toString", description: "A tool named toString.", inputSchema: none },
  {
    name: "env",
    description: "Return an environment variable of the server, or (unset).",
    inputSchema: { type: "object", properties: { name: { type: "string" } } },
    annotations: { readOnlyHint: true },
    run: (args) => text(process.env[args.name] ?? "(unset)"),
  },
  {
    name: "quit",
    description: "Exit the server process right after answering.",
    inputSchema: none,
    run: () => {
      setTimeout(() => process.exit(0), 10);
      return text("bye");
    },
  },
];

const send = (message) =>
  process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);

function answer(method, params) {
  if (method === "initialize") {
    return {
      protocolVersion: params?.protocolVersion ?? "2025-06-18",
      capabilities: { tools: {} },
      serverInfo: { name: "mcpward-policy-tools", version: "1.0.0" },
    };
  }
  if (method === "ping") return {};
  if (method === "tools/list") {
    return { tools: tools.map(({ run: _run, ...definition }) => definition) };
  }
  if (method === "tools/call") {
    const tool = tools.find((t) => t.name === params?.name);
    if (!tool) throw new Error(`Unknown tool: ${params?.name}`);
    return tool.run ? tool.run(params.arguments ?? {}) : text(`called ${tool.name}`);
  }
  throw new Error(`method not found: ${method}`);
}

createInterface({ input: process.stdin }).on("line", (line) => {
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    return;
  }
  if (message.id === undefined || message.method === undefined) return;
  try {
    send({ id: message.id, result: answer(message.method, message.params) });
  } catch (error) {
    send({ id: message.id, error: { code: -32601, message: error.message } });
  }
});
