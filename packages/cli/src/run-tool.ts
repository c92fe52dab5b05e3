import { realpathSync } from "node:fs";
import type { ApprovalRequest, ServerSpec } from "@mcpward/core/light";
import { parseServerSpec, stripTerminalEscapes } from "@mcpward/core/light";
import type { DaemonClient, DaemonEvent } from "@mcpward/daemon/client";
import { canPrompt, promptApproval } from "./approval-prompt.js";
import type { GlobalOptions } from "./argv.js";
import { BinaryFiles } from "./binary-files.js";
import { type DaemonSession, firstRequest, openSession } from "./daemon-session.js";
import type { DebugLog } from "./debug-log.js";
import { trapInterrupt } from "./interrupt.js";
import { formatResult } from "./output.js";
import { StatusLine } from "./status-line.js";
import { substituteStdinJson } from "./stdin-json.js";
import { isTerminal, stdoutIsTTY, writeStderr, writeStdout } from "./stdio.js";
import { USAGE } from "./usage.js";

/** What {@link runTool} is asked to do. */
export interface ToolRequest {
  options: GlobalOptions;
  /** Undefined for `mcpward --help -- <server>` (the tool list). */
  tool: string | undefined;
  toolTokens: string[];
  help: boolean;
  serverTokens: string[];
}

/** Prints what the daemon streams while a call runs, and answers approval requests. */
function eventPrinter(
  options: GlobalOptions,
  progress: StatusLine,
  client: DaemonClient,
  startingLine?: StatusLine,
): (event: DaemonEvent) => void {
  return (event) => {
    if (event.event === "approval") {
      progress.clear();
      startingLine?.clear();
      void promptApproval(event.data as ApprovalRequest)
        .then((answer) => client.answerApproval(event.id, answer))
        .catch(() => client.answerApproval(event.id, "deny").catch(() => {}));
      return;
    }
    if (event.event === "stderr") {
      if (!options.verbose) return;
      progress.clear();
      writeStderr(`${String(event.data)}\n`);
    } else if (event.event === "progress") {
      const p = (event.data ?? {}) as { progress?: unknown; total?: unknown; message?: unknown };
      const count =
        p.total === undefined
          ? `${String(p.progress)}`
          : `${String(p.progress)}/${String(p.total)}`;
      const text = typeof p.message === "string" ? `${count} ${p.message}` : count;
      if (options.quiet) return;
      if (isTerminal(2)) progress.show(`mcpward: ${text}`);
      else if (options.verbose) writeStderr(`mcpward: progress ${text}\n`);
    } else if (!options.quiet) {
      progress.clear();
      const data = event.data as { message?: unknown } | string;
      const text = typeof data === "string" ? data : String(data?.message ?? JSON.stringify(data));
      writeStderr(`mcpward: ${text}\n`);
    }
  };
}

/**
 * Calls one tool (or shows its help, or the server's tool list) through the
 * daemon of the server given after `--`, prints the result, and returns the
 * exit code.
 */
export async function runTool(request: ToolRequest, debug: DebugLog): Promise<number> {
  const { options } = request;
  let spec: ServerSpec;
  let settings = options.settings;
  let profile = options.profile;
  if (options.server === undefined) {
    spec = parseServerSpec(request.serverTokens);
  } else {
    const { resolveNamed } = await import("./named-server.js");
    const named = resolveNamed(options.server, options.profile, realpathSync(process.cwd()));
    debug(`server "${named.name}" resolved from config (profile ${named.profile ?? "none"})`);
    spec = named.spec;
    settings = { ...named.settings, ...options.settings };
    profile = named.profile ?? undefined;
  }
  const tokens = request.help ? [] : await substituteStdinJson(request.toolTokens);
  // Ctrl+C before the call is sent: nothing to cancel, leave at once.
  let untrap = trapInterrupt();
  let session: DaemonSession;
  try {
    session = await openSession(spec, {
      settings,
      profile,
      serverName: options.server,
      quiet: options.quiet,
      debug,
    });
  } finally {
    untrap();
  }
  const { client } = session.ensured;
  const approval = {
    ...(options.yes ? { approve: true } : {}),
    ...(canPrompt() ? { interactive: true } : {}),
  };
  try {
    if (request.help || request.tool === undefined) {
      const noProgress = new StatusLine(false);
      const { text } = await firstRequest(session, (c) =>
        c.help(request.tool, approval, {
          onEvent: eventPrinter(options, noProgress, c, session.status),
        }),
      );
      debug("help received");
      const body = request.tool === undefined ? `${USAGE}\n${text}` : text;
      await writeStdout(ensureNewline(stdoutIsTTY() ? stripTerminalEscapes(body) : body));
      return 0;
    }
    const controller = new AbortController();
    untrap = trapInterrupt(() => {
      debug("SIGINT: cancelling the call");
      controller.abort();
    });
    const progress = new StatusLine(isTerminal(2) && !options.quiet);
    debug(`calling ${request.tool}`);
    const result = await firstRequest(session, (c) =>
      c.call(
        {
          tool: request.tool!,
          tokens,
          cwd: process.cwd(),
          clientPid: process.pid,
          ...(options.verbose ? { stderr: true } : {}),
          ...approval,
          ...(Object.keys(settings).length > 0 ? { settings } : {}),
        },
        { signal: controller.signal, onEvent: eventPrinter(options, progress, c, session.status) },
      ),
    ).finally(() => progress.clear());
    debug("result received");
    const tty = stdoutIsTTY();
    if (result.isError === true && !options.raw) {
      const text = formatResult(result, { tty: isTerminal(2) });
      if (options.json) {
        process.stderr.write(
          `${JSON.stringify({ error: { code: "TOOL_ERROR", message: text.replace(/\n$/, "") } })}\n`,
        );
      } else writeStderr(text);
      return 1;
    }
    const files = new BinaryFiles();
    await writeStdout(
      formatResult(result, { raw: options.raw, tty, saveBinary: (item) => files.save(item) }),
    );
    debug("output written");
    return result.isError === true ? 1 : 0;
  } finally {
    untrap();
    client.close();
  }
}

function ensureNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}
