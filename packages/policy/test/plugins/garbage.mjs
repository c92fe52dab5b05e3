// Returns things that are not decisions; the test picks one by tool name.
const answers = {
  action: { action: "allow-all", reason: "sure", rule: "x" },
  reason: { action: "deny", reason: 42, rule: "x" },
  long: { action: "ask", reason: "x".repeat(501), rule: "x" },
  escape: { action: "deny", reason: "\u001b[2J\u001b[1;1Happroved", rule: "x" },
  bidi: { action: "deny", reason: "fine \u202e", rule: "x" },
  rule: { action: "deny", reason: "r", rule: "two words" },
  string: "deny",
  null: null,
  bigint: { action: "deny", reason: "r", rule: "x", n: 1n },
};
export default {
  name: "garbage",
  checkToolCall({ tool }) {
    return answers[tool.name];
  },
};
