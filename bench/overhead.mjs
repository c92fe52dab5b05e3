// Daemon overhead, run by run.mjs as a child process with its temp
// MCPWARD_* directories. Prints one JSON object on stdout.
//
// 1. Sequential: CALLS calls over one persistent DaemonClient connection
//    versus CALLS calls from an in-process SDK Client on its own copy of the
//    same server, in BLOCKS interleaved blocks (daemon block, SDK block, …).
//    Ratio = median over block pairs of (daemon mean per call / SDK mean).
// 2. Reference: CALLS round trips of one line over a bare Unix socket.
// 3. Concurrent: CLIENTS DaemonClient connections, each making PER_CLIENT
//    sequential calls, all at once: throughput and latency percentiles.
//
// Every call is `echo {text: "hi"}`; the daemon gets raw tokens
// (`--text hi`), as the CLI sends them, so its flag parsing is included.

import { connect } from "node:net";
import { Client } from "../fixtures/node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.js";
import { StdioClientTransport } from "../fixtures/node_modules/@modelcontextprotocol/sdk/dist/esm/client/stdio.js";
import { ensureDaemon } from "../packages/daemon/dist/client.js";

const config = JSON.parse(process.argv[2]);
const { projectDir, command, args, calls, blocks, clients, perClient, warmup, echoSocket } = config;
const spec = { command, args, env: {} };
const now = () => performance.now();

function check(result) {
  const text = result?.content?.[0]?.text;
  if (text !== "hi") throw new Error(`unexpected result: ${JSON.stringify(result)}`);
}

const daemon = await ensureDaemon({ spec, projectDir });
const viaDaemon = async () =>
  check(await daemon.client.call({ tool: "echo", tokens: ["--text", "hi"] }));

const sdk = new Client({ name: "mcpward-bench-inprocess", version: "0.0.0" });
await sdk.connect(new StdioClientTransport({ command, args, cwd: projectDir, stderr: "ignore" }));
const viaSdk = async () => check(await sdk.callTool({ name: "echo", arguments: { text: "hi" } }));

for (let i = 0; i < warmup; i++) {
  await viaDaemon();
  await viaSdk();
}

async function block(call, size, latencies) {
  const start = now();
  for (let i = 0; i < size; i++) {
    const t = now();
    await call();
    latencies.push(now() - t);
  }
  return (now() - start) / size;
}

const perBlock = Math.ceil(calls / blocks);
const sequential = { daemon: { latencies: [], blocks: [] }, sdk: { latencies: [], blocks: [] } };
for (let b = 0; b < blocks; b++) {
  sequential.daemon.blocks.push(await block(viaDaemon, perBlock, sequential.daemon.latencies));
  sequential.sdk.blocks.push(await block(viaSdk, perBlock, sequential.sdk.latencies));
}

// Reference: the bare Unix-socket hop (one line out, one line back) against
// the harness's echo server, the least any daemon design adds per call.
const socketLatencies = [];
if (echoSocket) {
  const socket = connect(echoSocket);
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.setEncoding("utf8");
  let buffered = "";
  let wake = null;
  socket.on("data", (chunk) => {
    buffered += chunk;
    if (buffered.includes("\n") && wake) wake();
  });
  const roundTrip = () =>
    new Promise((resolve) => {
      wake = () => {
        buffered = buffered.slice(buffered.indexOf("\n") + 1);
        wake = null;
        resolve();
      };
      socket.write(
        '{"id":1,"method":"tools/call","params":{"tool":"echo","tokens":["--text","hi"]}}\n',
      );
    });
  for (let i = 0; i < warmup; i++) await roundTrip();
  for (let i = 0; i < calls; i++) {
    const t = now();
    await roundTrip();
    socketLatencies.push(now() - t);
  }
  socket.destroy();
}

// Concurrent clients, each with its own connection and hello.
const connections = [];
for (let i = 0; i < clients; i++)
  connections.push((await ensureDaemon({ spec, projectDir })).client);
for (const c of connections) check(await c.call({ tool: "echo", tokens: ["--text", "hi"] }));
const concurrentLatencies = [];
const start = now();
await Promise.all(
  connections.map(async (c) => {
    for (let i = 0; i < perClient; i++) {
      const t = now();
      check(await c.call({ tool: "echo", tokens: ["--text", "hi"] }));
      concurrentLatencies.push(now() - t);
    }
  }),
);
const wallMs = now() - start;
for (const c of connections) c.close();

const status = await daemon.client.status();
daemon.client.close();
await sdk.close();

process.stdout.write(
  `${JSON.stringify({
    perBlock,
    sequential,
    socketLatencies,
    concurrent: { latencies: concurrentLatencies, wallMs, calls: clients * perClient },
    daemonRssAfterLoad: status?.memory?.daemon ?? null,
  })}\n`,
);
