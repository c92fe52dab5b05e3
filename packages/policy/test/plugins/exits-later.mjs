// Calls process.exit from a timer after the hook returned a promise that never settles.
export default {
  name: "exits-later",
  checkToolCall() {
    setTimeout(() => process.exit(1), 10);
    return new Promise(() => {});
  },
};
