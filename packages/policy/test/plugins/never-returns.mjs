import { appendFileSync } from "node:fs";

// Never answers, and keeps a heartbeat going so a test can see whether the
// worker thread was really terminated.
export default {
  name: "never-returns",
  checkToolCall({ arguments: args }) {
    setInterval(() => appendFileSync(args.heartbeat, "."), 20);
    return new Promise(() => {});
  },
};
