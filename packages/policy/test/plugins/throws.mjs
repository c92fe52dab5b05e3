// Throws from its hook.
export default {
  name: "throws",
  checkToolCall() {
    throw new Error("boom: token=ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  },
};
