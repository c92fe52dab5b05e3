// Exports a policy without a name.
export default { checkToolCall: () => undefined };
