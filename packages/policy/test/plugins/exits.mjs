// Calls process.exit from its hook.
export default {
  name: "exits",
  checkToolCall() {
    process.exit(0);
  },
};
