// Tries to take the whole process down.
export default {
  name: "kills",
  checkServerStart() {
    process.kill(process.pid, "SIGKILL");
  },
  checkToolCall() {
    process.abort();
  },
};
