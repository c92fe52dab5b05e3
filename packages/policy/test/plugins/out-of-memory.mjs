// Allocates until the worker's heap limit ends it.
export default {
  name: "out-of-memory",
  checkToolCall() {
    const hog = [];
    for (;;) hog.push(new Array(100_000).fill({ x: Math.random() }));
  },
};
