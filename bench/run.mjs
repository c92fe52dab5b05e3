#!/usr/bin/env node
// mcpward benchmark harness: `pnpm bench` (builds first) or `node bench/run.mjs`.
//
// Real processes only, in temporary MCPWARD_RUNTIME_DIR / STATE_DIR /
// CONFIG_DIR that are removed at the end, every daemon stopped. Rows that
// are compared run interleaved (A B A B …) after a warm-up; each row reports
// median and min–max; a ratio is the median of per-pair ratios. Prints one
// table, then each target of DESIGN.md §6 with PASS or MISS. Exits 0 even
// when a target is missed (this is a report); non-zero only when the harness
// itself fails. See bench/README.md.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  BENCH,
  CLI_BIN,
  CLI_MAIN,
  checkResult,
  createBenchEnv,
  fmtMiB,
  fmtMs,
  fmtRatio,
  HarnessError,
  intFromEnv,
  isHi,
  loadDaemonClient,
  MiB,
  machine,
  median,
  pairRatio,
  quantile,
  ROOT,
  SERVER,
  SERVER_SPEC,
  stopEverything,
  timeRun as timeRunIn,
  WARM_ARGS,
} from "./lib.mjs";

const TIME_BIN = "/usr/bin/time";

// ---------------------------------------------------------------- settings
const RUNS = intFromEnv("BENCH_RUNS", 30);
const COLD_RUNS = intFromEnv("BENCH_COLD_RUNS", Math.max(3, Math.round(RUNS / 3)));
const WARMUP = intFromEnv("BENCH_WARMUP", 3, 0);
const DAEMONS = intFromEnv("BENCH_DAEMONS", 50, 2);
const START_CONCURRENCY = intFromEnv("BENCH_START_CONCURRENCY", 8);
const CALLS = intFromEnv("BENCH_CALLS", 1000);
const BLOCKS = intFromEnv("BENCH_BLOCKS", 10);
const CLIENTS = intFromEnv("BENCH_CLIENTS", 16);
const PER_CLIENT = intFromEnv("BENCH_PER_CLIENT", 200);
const RSS_RUNS = intFromEnv("BENCH_RSS_RUNS", 5);

const fmtRange = (xs, fmt) =>
  `${fmt(Math.min(...xs)).replace(/ \S+$/, "")}–${fmt(Math.max(...xs))}`;

// ---------------------------------------------------------------- environment
const { base, env, remove: removeBase } = createBenchEnv();
const timeRun = (label, command, args, options = {}) =>
  timeRunIn(label, command, args, { ...options, env });

const children = new Set();
/** Starts a long-lived helper process; resolves once it prints `ready`. */
function startHelper(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.add(child);
    child.once("exit", () => children.delete(child));
    child.once("error", reject);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("ready\n")) resolve(child);
    });
    child.once("exit", (code) => reject(new HarnessError(`${args.join(" ")} exited (${code})`)));
  });
}

/**
 * Runs rows interleaved: WARMUP untimed rounds, then `n` rounds of A B C ….
 * Each row's `run()` returns the measured milliseconds (setup it does
 * before measuring, like stopping a daemon, is not counted).
 */
async function interleave(rows, n, warmup = WARMUP) {
  for (let i = 0; i < warmup; i++) {
    for (const row of rows) {
      checkInterrupted();
      await row.run();
    }
  }
  const samples = rows.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const [j, row] of rows.entries()) {
      checkInterrupted();
      samples[j].push(await row.run());
    }
  }
  return samples;
}

/** Set by SIGINT/SIGTERM; the run stops at the next step and cleans up. */
let interrupted = null;
function checkInterrupted() {
  if (interrupted) throw new HarnessError(`interrupted (${interrupted})`);
}

async function pool(items, limit, fn) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length > 0) {
      checkInterrupted();
      await fn(queue.shift());
    }
  });
  await Promise.all(workers);
}

function vmRss(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Peak RSS (bytes) of one run, from GNU time, else from a preload that reports maxRSS. */
function peakRss(label, args, expect) {
  if (existsSync(TIME_BIN)) {
    const { result } = timeRun(label, TIME_BIN, ["-v", process.execPath, ...args], { expect });
    const kib = result.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
    if (kib) return Number(kib[1]) * 1024;
  }
  const preload = pathToFileURL(join(BENCH, "rss-preload.mjs")).href;
  const { result } = timeRun(label, process.execPath, ["--import", preload, ...args], { expect });
  const kib = result.stderr.match(/^mcpward-bench-maxrss-kib=(\d+)$/m);
  if (!kib) throw new HarnessError(`${label}: no maxRSS reported`);
  return Number(kib[1]) * 1024;
}

// ---------------------------------------------------------------- main
const table = [];
const targets = [];
const notes = [];
let daemonLib = null;

function addRow(name, fields) {
  table.push({ name, ...fields });
}

function addTarget(name, value, limit, shown) {
  const pass = Number.isFinite(value) ? value <= limit : null;
  targets.push({ name, shown, pass });
}

async function main() {
  const m = machine();
  const benchVars = Object.entries(process.env)
    .filter(([k]) => k.startsWith("BENCH_"))
    .map(([k, v]) => `${k}=${v} `)
    .join("");
  console.log("mcpward benchmark");
  console.log(`  command  ${benchVars}node bench/run.mjs`);
  console.log(`  machine  ${m.cpu}, ${m.cores} cores, ${m.memory} RAM`);
  console.log(`  os       ${m.os}`);
  console.log(`  node     ${m.node}`);
  console.log(`  date     ${m.date}`);
  console.log(`  load     ${m.load} (1/5/15-min load average at start)`);
  console.log(
    `  runs     ${RUNS} per fast row, ${COLD_RUNS} per cold row, ${WARMUP} warm-up round(s), interleaved`,
  );
  console.log(`  dirs     ${base} (removed at the end)`);
  console.log("  env      MCPWARD_CALL_RATE=1000000 (default limiter would refuse the load rows)");
  console.log("");

  daemonLib = await loadDaemonClient();
  const haveCli = existsSync(CLI_MAIN);
  if (!haveCli)
    notes.push("packages/cli/dist/main.js is missing: CLI rows skipped (run `pnpm build`)");

  const spec = SERVER_SPEC;
  const warmArgs = WARM_ARGS;
  const step = (text) => process.stderr.write(`• ${text}\n`);

  // Floors and warm call ---------------------------------------------------
  const echoSocket = join(base, "echo.sock");
  await startHelper([join(BENCH, "echo-server.mjs"), echoSocket]);
  // Start the daemon (through the CLI when it exists, as a user would).
  if (haveCli) timeRun("first CLI call", process.execPath, warmArgs, { expect: isHi });
  else (await daemonLib.ensureDaemon({ spec, projectDir: ROOT })).client.close();

  step(`floors${haveCli ? " and warm call" : ""}: ${RUNS} interleaved rounds`);
  const node0 = { run: () => timeRun("node -e 0", process.execPath, ["-e", "0"]).ms };
  const raw = {
    run: () =>
      timeRun("raw client", process.execPath, [join(BENCH, "raw-client.mjs"), echoSocket], {
        expect: (out) => out.includes('"ping"'),
      }).ms,
  };
  const warm = {
    run: () => timeRun("warm CLI call", process.execPath, warmArgs, { expect: isHi }).ms,
  };
  const fast = await interleave(haveCli ? [node0, raw, warm] : [node0, raw], RUNS);
  addRow("node -e 0 (floor)", { samples: fast[0], ratio: 1, against: "" });
  const rawRatio = pairRatio(fast[0], fast[1]);
  addRow("raw Unix-socket client (floor)", {
    samples: fast[1],
    ratio: rawRatio,
    against: "node -e 0",
  });
  let warmRatio = Number.NaN;
  if (haveCli) {
    warmRatio = pairRatio(fast[0], fast[2]);
    addRow("warm call: mcpward echo (daemon up)", {
      samples: fast[2],
      ratio: warmRatio,
      against: "node -e 0",
    });
  }

  // Memory -----------------------------------------------------------------
  step("memory: idle daemon, server, CLI peak RSS");
  await new Promise((r) => setTimeout(r, 1000)); // let the daemon settle after the burst
  const idle = await daemonLib.ensureDaemon({ spec, projectDir: ROOT });
  const status = await idle.client.status();
  idle.client.close();
  const daemonRss = status?.memory?.daemon ?? vmRss(status?.pid);
  const serverRss = status?.memory?.server ?? vmRss(status?.serverPid);
  const memRows = [];
  memRows.push([
    "memory: idle daemon RSS",
    daemonRss,
    `pid ${status?.pid}, after ${status?.calls} calls`,
  ]);
  memRows.push(["memory: server RSS (utility-server)", serverRss, `pid ${status?.serverPid}`]);
  if (haveCli) {
    const rss = await interleave(
      [
        { run: () => peakRss("node -e 0 (rss)", ["-e", "0"]) },
        { run: () => peakRss("warm CLI call (rss)", warmArgs, isHi) },
      ],
      RSS_RUNS,
      1,
    );
    memRows.push(["memory: node -e 0 peak RSS", rss[0], `${RSS_RUNS} runs`]);
    memRows.push(["memory: CLI peak RSS, warm call", rss[1], `${RSS_RUNS} runs`]);
  }

  // Cold call --------------------------------------------------------------
  step(`cold call vs one-shot SDK client: ${COLD_RUNS} interleaved rounds`);
  const oneshot = {
    run: () =>
      timeRun(
        "one-shot SDK client",
        process.execPath,
        [join(BENCH, "sdk-oneshot.mjs"), "echo", '{"text":"hi"}', "--", ...SERVER],
        { expect: isHi },
      ).ms,
  };
  const stopProjectDaemons = async () => {
    await daemonLib.stopAll({ projectDir: ROOT, env });
    const left = daemonLib.listDaemons({ projectDir: ROOT, env }).filter((d) => d.alive);
    if (left.length > 0)
      throw new HarnessError(`${left.length} daemon(s) still alive after stopAll`);
  };
  const cold = {
    run: async () => {
      await stopProjectDaemons();
      return timeRun("cold CLI call", process.execPath, warmArgs, { expect: isHi }).ms;
    },
  };
  const coldSamples = await interleave(haveCli ? [oneshot, cold] : [oneshot], COLD_RUNS, 1);
  addRow("one-shot SDK client (spawn, init, call)", {
    samples: coldSamples[0],
    ratio: 1,
    against: "",
  });
  let coldRatio = Number.NaN;
  if (haveCli) {
    coldRatio = pairRatio(coldSamples[0], coldSamples[1]);
    addRow("cold call: mcpward echo (daemon stopped)", {
      samples: coldSamples[1],
      ratio: coldRatio,
      against: "one-shot SDK",
    });
  }

  // Daemon overhead --------------------------------------------------------
  step(
    `daemon overhead: ${CALLS} sequential calls × 2 in ${BLOCKS} interleaved blocks; ${CLIENTS} clients × ${PER_CLIENT} calls`,
  );
  const overheadRun = spawnSync(
    process.execPath,
    [
      join(BENCH, "overhead.mjs"),
      JSON.stringify({
        projectDir: ROOT,
        command: SERVER_SPEC.command,
        args: SERVER_SPEC.args,
        calls: CALLS,
        blocks: BLOCKS,
        clients: CLIENTS,
        perClient: PER_CLIENT,
        warmup: 100,
        echoSocket,
      }),
    ],
    { cwd: ROOT, env, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * MiB },
  );
  checkResult("daemon overhead", overheadRun);
  const overhead = JSON.parse(overheadRun.stdout);
  const seq = overhead.sequential;
  const overheadRatio = pairRatio(seq.sdk.blocks, seq.daemon.blocks);
  addRow("per call: in-process SDK client", {
    samples: seq.sdk.latencies,
    ratio: 1,
    against: "",
    note: `mean ${fmtMs(median(seq.sdk.blocks))}/call over ${BLOCKS} blocks of ${overhead.perBlock}`,
  });
  addRow("per call: persistent DaemonClient", {
    samples: seq.daemon.latencies,
    ratio: overheadRatio,
    against: "in-process SDK",
    note: `mean ${fmtMs(median(seq.daemon.blocks))}/call; ratio of block means`,
  });
  if (overhead.socketLatencies.length > 0) {
    addRow("per call: bare Unix-socket round trip", {
      samples: overhead.socketLatencies,
      note: "one line to the echo server and back: the floor of any socket hop",
    });
  }
  const conc = overhead.concurrent;
  addRow(`${CLIENTS} clients × ${PER_CLIENT} calls: latency`, {
    samples: conc.latencies,
    note: `p50 ${fmtMs(median(conc.latencies))}, p99 ${fmtMs(quantile(conc.latencies, 0.99))}`,
  });
  addRow(`${CLIENTS} clients × ${PER_CLIENT} calls: throughput`, {
    value: `${Math.round((conc.calls / conc.wallMs) * 1000)} calls/s`,
    n: conc.calls,
    note: `${fmtMs(conc.wallMs)} wall`,
  });
  for (const [name, value, note] of memRows) {
    const values = Array.isArray(value) ? value : [value];
    addRow(name, { samples: values, fmt: fmtMiB, note });
  }
  addRow("memory: daemon RSS after the load above", {
    samples: [overhead.daemonRssAfterLoad ?? Number.NaN],
    fmt: fmtMiB,
    note: `after ${CALLS + CLIENTS * PER_CLIENT}+ calls`,
  });

  // 50 daemons ---------------------------------------------------------------
  step(`${DAEMONS} daemons in one project (starting ${START_CONCURRENCY} at a time)`);
  const startedAt = performance.now();
  await daemonLib.ensureDaemon({ spec, projectDir: ROOT }).then((d) => d.client.close());
  const extra = Array.from({ length: DAEMONS - 1 }, (_, i) => i + 1);
  await pool(extra, START_CONCURRENCY, async (i) => {
    const d = await daemonLib.ensureDaemon({
      spec: { ...spec, env: { BENCH_DAEMON: String(i) } },
      projectDir: ROOT,
    });
    d.client.close();
  });
  const alive = daemonLib.listDaemons({ projectDir: ROOT, env }).filter((d) => d.alive).length;
  if (alive !== DAEMONS)
    throw new HarnessError(`expected ${DAEMONS} daemons, found ${alive} alive`);
  const startSeconds = (performance.now() - startedAt) / 1000;
  let statusRatio = Number.NaN;
  if (haveCli) {
    step(`daemon status with ${DAEMONS} daemons vs warm call: ${RUNS} interleaved rounds`);
    const statusRow = {
      run: () =>
        timeRun("mcpward daemon status", process.execPath, [CLI_BIN, "daemon", "status"], {
          // one line per daemon (plus a header): all of them were reached
          expect: (out) => out.trim().split("\n").length >= DAEMONS,
        }).ms,
    };
    const s = await interleave([warm, statusRow], RUNS);
    statusRatio = pairRatio(s[0], s[1]);
    addRow(`warm call, ${DAEMONS} daemons running`, { samples: s[0], ratio: 1, against: "" });
    addRow(`mcpward daemon status (${DAEMONS} daemons)`, {
      samples: s[1],
      ratio: statusRatio,
      against: "warm call",
      note: `${DAEMONS} daemons started in ${startSeconds.toFixed(1)} s`,
    });
  } else {
    notes.push(
      `${DAEMONS} daemons started in ${startSeconds.toFixed(1)} s (status not timed: no CLI)`,
    );
  }

  // Report -------------------------------------------------------------------
  printTable();
  addTarget("warm call ≤ 1.3 × node -e 0", warmRatio, 1.3, fmtRatio(warmRatio));
  addTarget("cold call ≤ 1.2 × one-shot SDK client", coldRatio, 1.2, fmtRatio(coldRatio));
  addTarget("daemon overhead ≤ 1.2 × in-process SDK", overheadRatio, 1.2, fmtRatio(overheadRatio));
  addTarget("idle daemon RSS ≤ 60 MiB", daemonRss / MiB, 60, fmtMiB(daemonRss));
  addTarget(
    `daemon status (${DAEMONS} daemons) ≤ 2 × warm call`,
    statusRatio,
    2,
    fmtRatio(statusRatio),
  );
  console.log("");
  console.log("targets (DESIGN.md §6)");
  const width = Math.max(...targets.map((t) => t.name.length));
  for (const t of targets) {
    const verdict = t.pass === null ? "SKIP" : t.pass ? "PASS" : "MISS";
    console.log(`  ${verdict}  ${t.name.padEnd(width)}  ${t.shown}`);
  }
  console.log(
    `  info  raw Unix-socket client vs node -e 0 (design says about 1.2×)  ${fmtRatio(rawRatio)}`,
  );
  for (const note of notes) console.log(`  note  ${note}`);
  if (!haveCli) process.exitCode = 1;
}

function printTable() {
  const header = ["row", "n", "median", "min–max", "ratio", "vs", "notes"];
  const lines = table.map((row) => {
    const fmt = row.fmt ?? fmtMs;
    const samples = row.samples?.filter(Number.isFinite) ?? [];
    const single = samples.length === 1;
    return [
      row.name,
      String(row.n ?? row.samples?.length ?? ""),
      row.value ?? (samples.length ? fmt(median(samples)) : "-"),
      samples.length && !single ? fmtRange(samples, fmt) : "",
      row.ratio === undefined ? "" : fmtRatio(row.ratio),
      row.against ?? "",
      row.note ?? "",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const right = new Set([1, 2, 3, 4]);
  const render = (cells) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  console.log("");
  console.log(render(header));
  console.log(render(widths.map((w) => "-".repeat(w))));
  for (const l of lines) console.log(render(l));
}

async function cleanup() {
  if (daemonLib) {
    try {
      const killed = await stopEverything(daemonLib, env);
      if (killed > 0) console.error(`cleanup: killed ${killed} daemon(s) that did not stop`);
    } catch (error) {
      console.error(`cleanup: ${error.message}`);
      process.exitCode = process.exitCode || 1;
    }
  }
  for (const child of children) child.kill("SIGTERM");
  removeBase();
}

// Ctrl+C: stop at the next step and clean up (a second one cleans up at once).
let cleaning = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (!interrupted) {
      interrupted = signal;
      process.exitCode = 130;
      return;
    }
    cleaning ??= cleanup();
    cleaning.finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(`\nbench failed: ${error instanceof HarnessError ? error.message : error.stack}`);
  process.exitCode = interrupted ? 130 : 2;
} finally {
  cleaning ??= cleanup();
  await cleaning;
}
