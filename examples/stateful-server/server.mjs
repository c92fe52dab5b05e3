#!/usr/bin/env node
// Example MCP server with state: a notes list and a counter, kept in memory.
//
// mcpward keeps the server process warm between commands, so the notes survive from one
// shell command to the next (until the server is stopped):
//   mcpward add-note --text "buy milk" --tag home -- node examples/stateful-server/server.mjs
//   mcpward list-notes -- node examples/stateful-server/server.mjs

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import * as z from "zod";

/** @type {{ text: string, tag?: string }[]} */
const notes = [];
let counter = 0;

const text = (value) => ({ content: [{ type: "text", text: String(value) }] });

const server = new McpServer({ name: "mcpward-example-stateful", version: "1.0.0" });

server.registerTool(
  "add_note",
  {
    title: "Add note",
    description: "Add a note to the in-memory list. Returns the note's number.",
    inputSchema: {
      text: z.string().min(1).describe("The note text"),
      tag: z.string().optional().describe("An optional tag, to filter notes by later"),
    },
  },
  ({ text: noteText, tag }) => {
    notes.push(tag === undefined ? { text: noteText } : { text: noteText, tag });
    return text(`Added note ${notes.length}`);
  },
);

server.registerTool(
  "list_notes",
  {
    title: "List notes",
    description:
      'List the notes, one per line as "1. text [tag]", or "(no notes)". Numbers are the ' +
      "notes' positions in the full list.",
    inputSchema: {
      tag: z.string().optional().describe("Only list notes with this tag"),
    },
  },
  ({ tag }) => {
    const lines = notes
      .map((note, index) => ({ note, number: index + 1 }))
      .filter(({ note }) => tag === undefined || note.tag === tag)
      .map(({ note, number }) => `${number}. ${note.text}${note.tag ? ` [${note.tag}]` : ""}`);
    return text(lines.length > 0 ? lines.join("\n") : "(no notes)");
  },
);

server.registerTool(
  "clear_notes",
  {
    title: "Clear notes",
    description: "Delete all notes. Returns how many were deleted.",
  },
  () => {
    const count = notes.length;
    notes.length = 0;
    return text(`Cleared ${count} ${count === 1 ? "note" : "notes"}`);
  },
);

server.registerTool(
  "counter_increment",
  {
    title: "Increment counter",
    description: "Add to a counter that starts at 0 when the server starts. Returns the new value.",
    inputSchema: {
      by: z
        .number()
        .int()
        .min(-1000)
        .max(1000)
        .default(1)
        .describe("How much to add (an integer from -1000 to 1000)"),
    },
  },
  ({ by }) => {
    counter += by;
    return text(counter);
  },
);

await server.connect(new StdioServerTransport());
