#!/usr/bin/env node
// Example MCP server: a few small, deterministic utility tools.
//
// Try it through mcpward:
//   mcpward add --a 2 --b 3 -- node examples/utility-server/server.mjs
//
// Written with the SDK's high-level `McpServer` and zod: the zod schemas become the tools'
// JSON Schemas (and so mcpward's flags), `.describe()` texts become the flag help, and the
// SDK validates the arguments and fills in defaults before a handler runs.

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import * as z from "zod";

const server = new McpServer({ name: "mcpward-example-utility", version: "1.0.0" });

server.registerTool(
  "echo",
  {
    title: "Echo",
    description: "Return the given text unchanged.",
    inputSchema: { text: z.string().describe("The text to send back") },
  },
  ({ text }) => ({ content: [{ type: "text", text }] }),
);

server.registerTool(
  "add",
  {
    title: "Add",
    description: "Add two numbers. Returns the sum as text and as structured output {sum}.",
    inputSchema: {
      a: z.number().describe("The first number"),
      b: z.number().describe("The second number"),
    },
    outputSchema: { sum: z.number().describe("a + b") },
  },
  ({ a, b }) => {
    const sum = a + b;
    return { content: [{ type: "text", text: String(sum) }], structuredContent: { sum } };
  },
);

server.registerTool(
  "all_types",
  {
    title: "All parameter types",
    description:
      "Demonstrates every kind of parameter (string, integer with a default, number, boolean, " +
      "enum, list of strings, object) and summarises what it received.",
    inputSchema: {
      name: z.string().describe("Who or what this is about (a string, required)"),
      count: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(1)
        .describe("How many times to repeat the greeting (an integer from 1 to 100)"),
      ratio: z.number().optional().describe("Any number, e.g. 0.75 (shown as a percentage)"),
      loud: z.boolean().optional().describe("Shout the greeting (a boolean flag)"),
      mode: z
        .enum(["friendly", "formal", "terse"])
        .default("friendly")
        .describe("Greeting style (one of a fixed set of values)"),
      tags: z.array(z.string()).optional().describe("Labels to attach (a list of strings)"),
      options: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("Extra settings as a JSON object; only its keys are reported"),
    },
  },
  ({ name, count, ratio, loud, mode, tags, options }) => {
    const greetings = { friendly: `Hello, ${name}!`, formal: `Good day, ${name}.`, terse: name };
    let greeting = greetings[mode];
    if (loud) greeting = greeting.toUpperCase();
    const lines = [Array.from({ length: count }, () => greeting).join(" ")];
    if (ratio !== undefined) lines.push(`ratio: ${ratio} (${Math.round(ratio * 100)}%)`);
    if (tags?.length) lines.push(`tags: ${tags.join(", ")}`);
    if (options) lines.push(`options: ${Object.keys(options).sort().join(", ") || "(none)"}`);
    return { content: [{ type: "text", text: lines.join("\n") }] };
  },
);

server.registerTool(
  "word_count",
  {
    title: "Word count",
    description: "Count the lines, words and characters in a text.",
    inputSchema: { text: z.string().describe("The text to count") },
    outputSchema: {
      lines: z.number().int().min(0).describe("Number of lines"),
      words: z.number().int().min(0).describe("Number of whitespace-separated words"),
      characters: z.number().int().min(0).describe("Number of characters (Unicode code points)"),
    },
  },
  ({ text }) => {
    const counts = {
      // Like `wc -l`, but an unterminated last line counts too.
      lines:
        text.split(/\r\n|\r|\n/).length - (/(?:\r\n|\r|\n)$/.test(text) || text === "" ? 1 : 0),
      words: text.split(/\s+/).filter(Boolean).length,
      characters: [...text].length,
    };
    return {
      content: [
        {
          type: "text",
          text: `${counts.lines} lines, ${counts.words} words, ${counts.characters} characters`,
        },
      ],
      structuredContent: counts,
    };
  },
);

await server.connect(new StdioServerTransport());
