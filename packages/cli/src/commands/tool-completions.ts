import {
  computeDaemonId,
  daemonPaths,
  parseServerSpec,
  requestedProfile,
  runtimeRoot,
} from "@mcpward/core/light";
import { connectTo, listDaemons } from "@mcpward/daemon/client";
import { currentProject } from "./daemon-target.js";

/**
 * Tool names for shell completion when the words include `-- <server>` and
 * that server's daemon is already running in this project. Never starts a
 * daemon (a key press must not launch a server); any failure gives none.
 *
 * @param words - the words of the command line being completed
 */
export async function toolCompletions(words: readonly string[]): Promise<string[]> {
  const dashes = words.indexOf("--");
  if (dashes === -1) return [];
  try {
    const spec = parseServerSpec(words.slice(dashes + 1).filter((w) => w !== ""));
    const project = currentProject();
    const daemonId = computeDaemonId(
      { ...spec, profile: requestedProfile(profileWord(words.slice(0, dashes)), process.env) },
      project,
    );
    const entry = listDaemons({ projectDir: project }).find(
      (e) => e.alive && e.meta.daemonId === daemonId,
    );
    if (entry === undefined) return [];
    // Sanity: the metadata must be where identity says it is.
    if (entry.meta.socket !== daemonPaths(runtimeRoot(), entry.meta.projectId, daemonId).socket) {
      return [];
    }
    const client = await connectTo(entry);
    try {
      const { tools } = await client.listTools();
      return tools.map((tool) => tool.name);
    } finally {
      client.close();
    }
  } catch {
    return [];
  }
}

/** The value of `--profile <name>` or `--profile=<name>` among the words before `--`. */
function profileWord(words: readonly string[]): string | undefined {
  let profile: string | undefined;
  words.forEach((word, i) => {
    if (word === "--profile" && i + 1 < words.length) profile = words[i + 1];
    else if (word.startsWith("--profile=")) profile = word.slice("--profile=".length);
  });
  return profile;
}
