// @mcpward/cli: the mcpward command line. The `mcpward` bin calls `main`;
// the rest is for programs that want to print tool results the same way.

export { main } from "./main.js";
export { type BinaryItem, type FormatOptions, formatResult, type ToolResult } from "./output.js";
