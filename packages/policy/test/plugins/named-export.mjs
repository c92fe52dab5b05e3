// Exports its policy as `policy`, and reports what it can see.
export const policy = {
  name: "acme/inspector",
  checkServerStart({ server }) {
    return {
      action: "ask",
      reason: `start ${server.command} at level ${server.trustLevel}`,
      rule: "acme/start",
    };
  },
  checkToolCall(context) {
    const seen = {
      envKeys: Object.keys(process.env).sort(),
      keys: Object.keys(context).sort(),
      serverKeys: Object.keys(context.server).sort(),
      args: context.arguments,
    };
    console.log("plugin logging goes to stderr");
    return { action: "deny", reason: JSON.stringify(seen).slice(0, 500), rule: "acme/inspect" };
  },
};
