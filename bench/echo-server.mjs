// The floor's other half: a Unix-socket server that answers each line with
// the same line. Run by the harness as its own process (so timing children
// with spawnSync never blocks it); prints "ready" once listening.
//
//   node bench/echo-server.mjs <socket path>
import { createServer } from "node:net";

const path = process.argv[2];
const server = createServer((socket) => {
  socket.on("error", () => {});
  socket.on("data", (chunk) => socket.write(chunk));
});
server.listen(path, () => process.stdout.write("ready\n"));
for (const signal of ["SIGTERM", "SIGINT"])
  process.on(signal, () => server.close(() => process.exit(0)));
