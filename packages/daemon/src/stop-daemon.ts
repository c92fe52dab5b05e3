import type { DaemonMetadata } from "./metadata.js";
import { killOrphanServer } from "./orphans.js";
import { isSameProcess, signalProcess } from "./process-info.js";

/**
 * Stops a daemon process found through its metadata: SIGTERM (it then stops
 * its server and removes its files), SIGKILL after a grace period, and then
 * the server's process group if the daemon could not end it. Never signals
 * a pid that now belongs to another process.
 */
export async function stopDaemonProcess(meta: DaemonMetadata, graceMs = 5000): Promise<void> {
  if (isSameProcess(meta.pid, meta.startTime)) {
    signalProcess(meta.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && isSameProcess(meta.pid, meta.startTime)) {
      await new Promise((r) => setTimeout(r, 25));
    }
    if (isSameProcess(meta.pid, meta.startTime)) signalProcess(meta.pid, "SIGKILL");
  }
  await killOrphanServer(meta);
}
