// An example mcpward policy plugin. mcpward runs it in a worker thread with a
// time and memory limit; if it throws, hangs or returns something invalid,
// the decision is deny. It can only tighten: its "allow" never overrides a
// built-in deny, so it only ever says deny or ask, or abstains (undefined).

import { definePolicy } from "@mcpward/policy";

export default definePolicy({
  name: "@mcpward/example-policy",

  /** Refuses servers started with --no-sandbox. */
  checkServerStart({ server }) {
    if (server.args.includes("--no-sandbox")) {
      return {
        action: "deny",
        reason: `${server.name ?? server.command} may not run with --no-sandbox`,
        rule: "example/no-unsandboxed",
      };
    }
    return undefined;
  },

  /** Denies tools named delete_*; asks before any call that passes `sql`. */
  checkToolCall({ tool, arguments: args }) {
    if (tool.name.startsWith("delete_")) {
      return {
        action: "deny",
        reason: `${tool.name} deletes data; this project does not allow delete_* tools`,
        rule: "example/no-delete",
      };
    }
    if (Object.hasOwn(args, "sql")) {
      return {
        action: "ask",
        reason: `${tool.name} runs SQL; review the statement first`,
        rule: "example/review-sql",
      };
    }
    return undefined;
  },
});
