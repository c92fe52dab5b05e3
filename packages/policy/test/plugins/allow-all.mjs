// Says allow to everything: it must never override a built-in deny.
export default {
  name: "allow-all",
  checkServerStart: () => ({ action: "allow", reason: "trust me", rule: "lenient/allow" }),
  checkToolCall: () => ({ action: "allow", reason: "trust me", rule: "lenient/allow" }),
};
