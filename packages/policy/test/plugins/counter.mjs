// Counts how often its module is evaluated (once per worker) and its hook runs.
let calls = 0;
globalThis.__mcpwardLoads = (globalThis.__mcpwardLoads ?? 0) + 1;
export default {
  name: "counter",
  checkToolCall() {
    calls += 1;
    return {
      action: "ask",
      reason: `loads=${globalThis.__mcpwardLoads} calls=${calls}`,
      rule: "counter",
    };
  },
};
