// Blocks its thread forever: only terminating the worker ends it.
export default {
  name: "busy-loop",
  checkToolCall() {
    for (;;) {}
  },
};
