// Diagnostic preload (bench/profile.mjs): `--cpu-prof` for processes we do
// not start ourselves (the daemon, the server), since Node does not accept
// --cpu-prof in NODE_OPTIONS but does accept --import:
//   NODE_OPTIONS="--import=file:///…/bench/cpu-prof-preload.mjs" BENCH_CPU_PROF_DIR=/tmp/p …
// Starts the V8 profiler in-process and writes <dir>/<pid>.cpuprofile at
// exit. On SIGTERM/SIGINT it writes too, and ends the process only when no
// other handler is installed (the daemon has its own graceful shutdown).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  const interval = Number(process.env.BENCH_CPU_PROF_INTERVAL) || 200;
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval });
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The in-thread session answers synchronously.
    session.post("Profiler.stop", (error, result) => {
      if (!error)
        writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on("exit", write);
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return; // theirs ends the process; "exit" writes
      write();
      process.exit(128 + (signal === "SIGTERM" ? 15 : 2));
    });
  }
}
