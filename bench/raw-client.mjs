// Floor: the least a Node client can do per call. Connects to a Unix socket,
// sends one line, reads one line, exits. Only `node:net` is loaded.
//
//   node bench/raw-client.mjs <socket path>
import { connect } from "node:net";

const socket = connect(process.argv[2]);
let buffered = "";
socket.setEncoding("utf8");
socket.on("connect", () => socket.write('{"id":1,"method":"ping"}\n'));
socket.on("data", (chunk) => {
  buffered += chunk;
  const newline = buffered.indexOf("\n");
  if (newline === -1) return;
  process.stdout.write(buffered.slice(0, newline + 1));
  socket.end();
});
socket.on("error", (error) => {
  process.stderr.write(`raw-client: ${error.message}\n`);
  process.exitCode = 1;
});
