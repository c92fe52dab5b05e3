import { join } from "node:path";
import { stateRoot } from "@mcpward/core/light";

/** The audit directory of one project: `<state dir>/audit/<projectId>`. */
export function auditDirectory(
  projectId: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return join(stateRoot(env), "audit", projectId);
}
