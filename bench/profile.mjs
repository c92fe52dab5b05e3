#!/usr/bin/env node
// Where the time goes: `node bench/profile.mjs [warm] [bundle] [cold] [daemon] [status]`
// (default: all). Same private environment as run.mjs; diagnostics only,
// nothing here is a benchmark figure.
//
// - warm: the modules the warm CLI call loads (module-trace preload); a
//   wall-time decomposition against `node -e 0`, an empty ESM script and a
//   script importing only the same built-ins; the CLI's --debug timeline;
//   `--cpu-prof` self time by package and function.
// - bundle: what-if: the same CLI bundled with esbuild (ESM with split lazy
//   chunks; one CJS file for the warm path; plus lazy built-ins), timed
//   against the CLI as built.
// - cold: one cold call with the CLI and the daemon profiled, on one
//   timeline (V8 profile clocks are CLOCK_MONOTONIC, shared by processes):
//   what the daemon does before it spawns the server.
// - daemon: a daemon under the profiler serving BENCH_CALLS calls over one
//   connection; only the measured calls are counted.
// - status: `mcpward daemon status` with BENCH_DAEMONS daemons running.
//
// BENCH_PROFILE_OUT=<dir> keeps the .cpuprofile files (open them in Chrome
// DevTools › Performance, or speedscope).
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import {
  BENCH,
  CLI_MAIN,
  createBenchEnv,
  fmtMs,
  HarnessError,
  intFromEnv,
  isHi,
  loadDaemonClient,
  median,
  ROOT,
  SERVER_SPEC,
  stopEverything,
  timeRun,
  WARM_ARGS,
} from "./lib.mjs";

const RUNS = intFromEnv("BENCH_PROFILE_RUNS", 5);
const CALLS = intFromEnv("BENCH_CALLS", 2000);
const WALL_RUNS = intFromEnv("BENCH_RUNS", 15);
const DAEMONS = intFromEnv("BENCH_DAEMONS", 50, 2);
const sections = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ["warm", "bundle", "cold", "daemon", "status"];
const { base, env, remove } = createBenchEnv("mcpward-profile-");
const profDir = join(base, "prof");
mkdirSync(profDir, { recursive: true });
let daemonLib = null;

// ---------------------------------------------------------------- cpuprofile analysis
/** Which package (or part of Node) a frame belongs to. */
function bucketOf(frame) {
  const { functionName, url } = frame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "(idle: waiting on I/O)";
  if (functionName === "(program)") return "(program: native, parse/compile)";
  if (functionName === "(root)") return "(root)";
  if (url.startsWith("node:internal/modules/esm")) return "node: ESM loader";
  if (url.startsWith("node:internal/modules")) return "node: CJS loader";
  if (url.startsWith("node:internal/main") || url.startsWith("node:internal/process/pre"))
    return "node: bootstrap";
  if (url.startsWith("node:")) return "node: other built-ins";
  const path = decodeURIComponent(url.replace(/^file:\/\//, ""));
  const nm = path.lastIndexOf("/node_modules/");
  if (nm !== -1) {
    const parts = path.slice(nm + 14).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (path.startsWith(`${ROOT}/packages/`))
    return `@mcpward/${path.slice(ROOT.length + 10).split("/")[0]}`;
  if (path.startsWith(ROOT)) return relative(ROOT, path);
  return path || "(native)";
}

/**
 * Self time per bucket and per function. Native frames without a URL are
 * charged to their nearest caller that has one.
 */
function analyse(profile, window = null) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map();
  const ownerOf = (id) => {
    if (owner.has(id)) return owner.get(id);
    let cur = nodes.get(id);
    while (cur && cur.callFrame.url === "" && !cur.callFrame.functionName.startsWith("(")) {
      const p = parent.get(cur.id);
      if (p === undefined) break;
      cur = nodes.get(p);
    }
    const frame = cur?.callFrame ?? nodes.get(id).callFrame;
    owner.set(id, frame);
    return frame;
  };
  const buckets = new Map();
  const functions = new Map();
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    // sample i lasts until the next one
    const us = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    // Optional window in the profiler's clock (µs, CLOCK_MONOTONIC like process.hrtime).
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const leaf = nodes.get(samples[i]).callFrame;
    const frame = ownerOf(samples[i]);
    const b = bucketOf(frame);
    buckets.set(b, (buckets.get(b) ?? 0) + us);
    const fn = `${leaf.functionName || "(anonymous)"} ${shortUrl(leaf.url || frame.url)}${leaf.url ? `:${leaf.lineNumber + 1}` : ""}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  return {
    startUs: profile.startTime,
    endUs: profile.endTime,
    durationMs: window
      ? (window.toUs - window.fromUs) / 1000
      : (profile.endTime - profile.startTime) / 1000,
    buckets,
    functions,
  };
}

/** Time (profiler clock, µs) of the first sample whose stack has a matching frame. */
function firstSampleIn(profile, match) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hit = new Map();
  const matches = (id) => {
    if (hit.has(id)) return hit.get(id);
    const node = nodes.get(id);
    const p = parent.get(id);
    const result = match(node.callFrame) || (p !== undefined && matches(p));
    hit.set(id, result);
    return result;
  };
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    if (matches(profile.samples[i])) return at;
  }
  return null;
}

function shortUrl(url) {
  if (!url) return "";
  const path = decodeURIComponent(url.replace(/^file:\/\//, ""));
  const nm = path.lastIndexOf("/node_modules/");
  if (nm !== -1) return path.slice(nm + 14);
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

function readProfiles(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => ({ file: join(dir, f), profile: JSON.parse(readFileSync(join(dir, f), "utf8")) }));
}

/** Averages several analyses (ms per run). */
function averaged(analyses) {
  const sum = (key) => {
    const out = new Map();
    for (const a of analyses)
      for (const [k, us] of a[key]) out.set(k, (out.get(k) ?? 0) + us / 1000 / analyses.length);
    return out;
  };
  return {
    durationMs: analyses.reduce((s, a) => s + a.durationMs, 0) / analyses.length,
    buckets: sum("buckets"),
    functions: sum("functions"),
  };
}

function printTop(title, map, total, limit = 15) {
  console.log(`  ${title}`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, limit);
  for (const [name, ms] of rows) {
    const pct = total > 0 ? ((ms / total) * 100).toFixed(0).padStart(3) : "  -";
    console.log(`    ${ms.toFixed(1).padStart(7)} ms ${pct}%  ${name}`);
  }
}

function keep(dir, name) {
  const out = process.env.BENCH_PROFILE_OUT;
  if (!out) return;
  mkdirSync(join(out, name), { recursive: true });
  cpSync(dir, join(out, name), { recursive: true });
}

/**
 * An env under which every Node process (CLI, daemon, server) profiles
 * itself: Node 20 refuses --cpu-prof in NODE_OPTIONS, so a preload does it.
 */
function profiledEnv(dir) {
  const preload = pathToFileURL(join(BENCH, "cpu-prof-preload.mjs")).href;
  return {
    ...env,
    NODE_OPTIONS: `--import=${preload}`,
    BENCH_CPU_PROF_DIR: dir,
    BENCH_CPU_PROF_INTERVAL: "200",
  };
}

// ---------------------------------------------------------------- module trace
function traceModules(label, args) {
  const file = join(base, `${label}.trace.ndjson`);
  const preload = pathToFileURL(join(BENCH, "module-trace.mjs")).href;
  timeRun(`${label} (module trace)`, process.execPath, ["--import", preload, ...args], {
    env: { ...env, BENCH_TRACE_FILE: file },
  });
  const lines = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const loaded = new Map();
  for (const l of lines) {
    if (!l.url || l.url.includes("/bench/module-trace")) continue;
    const prev = loaded.get(l.url);
    if (!prev || l.format !== "require-cache") loaded.set(l.url, l);
  }
  const builtins = lines.filter((l) => l.builtin).map((l) => l.builtin);
  return { modules: [...loaded.values()], builtins };
}

function summariseModules(title, trace, baseline) {
  const groups = new Map();
  for (const m of trace.modules) {
    const b = bucketOf({ functionName: "", url: m.url });
    const g = groups.get(b) ?? { count: 0, bytes: 0, loadMs: 0 };
    g.count++;
    g.bytes += m.size ?? 0;
    g.loadMs += m.end && m.start ? m.end - m.start : 0;
    groups.set(b, g);
  }
  const extraBuiltins = baseline
    ? trace.builtins.filter((b) => !baseline.builtins.includes(b))
    : trace.builtins;
  console.log(`  ${title}: ${trace.modules.length} modules from files`);
  for (const [name, g] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
    console.log(
      `    ${String(g.count).padStart(4)} modules ${(g.bytes / 1024).toFixed(0).padStart(6)} KiB  ${name}`,
    );
  }
  console.log(
    `    Node built-in modules (incl. internal ones) loaded${baseline ? " beyond `node -e 0` under the same tracer" : ""}: ${extraBuiltins.length}${
      extraBuiltins.length ? ` (${extraBuiltins.join(", ")})` : ""
    }`,
  );
  const heavy = trace.modules.filter((m) =>
    /node_modules\/(yargs|yargs-parser|@modelcontextprotocol|valibot|zod|ajv)\//.test(m.url),
  );
  console.log(
    `    heavy dependencies on this path: ${heavy.length === 0 ? "none" : [...new Set(heavy.map((m) => bucketOf({ functionName: "", url: m.url })))].join(", ")}`,
  );
}

// ---------------------------------------------------------------- sections
async function warmSection() {
  console.log("\n== warm call: mcpward echo --text hi (daemon up) ==");
  timeRun("first call", process.execPath, WARM_ARGS, { env, expect: isHi });

  // 1. Which modules does the warm path load?
  const floorTrace = traceModules("node-e-0", ["-e", "0"]);
  const warmTrace = traceModules("warm", WARM_ARGS.slice());
  summariseModules("warm call modules", warmTrace, floorTrace);
  console.log("  warm call module files (size, load time without evaluation):");
  for (const m of warmTrace.modules) {
    const ms = m.end && m.start ? `${(m.end - m.start).toFixed(2)} ms` : "";
    console.log(
      `    ${((m.size ?? 0) / 1024).toFixed(1).padStart(6)} KiB ${ms.padStart(9)}  ${shortUrl(m.url)}`,
    );
  }

  // 2. Decomposition by wall time: the same built-ins imported by an empty
  //    ESM script separate Node's costs from mcpward's own.
  const builtins = warmTrace.modules.filter((m) => m.url.startsWith("node:")).map((m) => m.url);
  const emptyEsm = join(base, "empty.mjs");
  const builtinsEsm = join(base, "builtins.mjs");
  writeFileSync(emptyEsm, "");
  writeFileSync(builtinsEsm, builtins.map((u) => `import ${JSON.stringify(u)};\n`).join(""));
  const rows = [
    ["node -e 0", ["-e", "0"]],
    ["node empty.mjs (ESM entry)", [emptyEsm]],
    [`node builtins.mjs (imports ${builtins.join(", ")})`, [builtinsEsm]],
    ["warm call", WARM_ARGS.slice(), isHi],
  ];
  const times = rows.map(() => []);
  for (let i = 0; i < 2 + WALL_RUNS; i++) {
    rows.forEach(([label, args, expect], j) => {
      const { ms } = timeRun(label, process.execPath, args, { env, expect });
      if (i >= 2) times[j].push(ms);
    });
  }
  console.log(`  wall time, interleaved, median of ${WALL_RUNS} (step from the row above):`);
  let prev = null;
  rows.forEach(([label], j) => {
    const m = median(times[j]);
    const step = prev === null ? "" : ` (${m - prev >= 0 ? "+" : ""}${fmtMs(m - prev)})`;
    console.log(`    ${fmtMs(m).padStart(9)}${step.padEnd(13)}  ${label}`);
    prev = m;
  });

  // 3. Timeline inside the CLI, from its --debug lines (ms since process start).
  const preload = join(BENCH, "exit-time-preload.cjs");
  const phases = new Map();
  const debugArgs = [WARM_ARGS[0], "--debug", ...WARM_ARGS.slice(1)];
  const floorExit = [];
  for (let i = 0; i < WALL_RUNS; i++) {
    const { result } = timeRun(
      "warm --debug",
      process.execPath,
      ["--require", preload, ...debugArgs],
      {
        env,
        expect: isHi,
      },
    );
    const marks = [];
    for (const line of result.stderr.split("\n")) {
      const debug = line.match(/^mcpward: debug: ([\d.]+)ms (.*)$/);
      if (debug) marks.push([debug[2].replace(/ \S{16,}.*$/, "").slice(0, 40), Number(debug[1])]);
      const mark = line.match(/^mcpward-bench-(preload|exit)-ms=([\d.]+)$/);
      if (mark)
        marks.push([
          mark[1] === "exit" ? "process exit" : "preload ran (node booted)",
          Number(mark[2]),
        ]);
    }
    marks.sort((x, y) => x[1] - y[1]);
    for (const [name, ms] of marks) phases.set(name, [...(phases.get(name) ?? []), ms]);
    const f = timeRun("node -e 0", process.execPath, ["--require", preload, "-e", "0"], { env });
    floorExit.push(Number(f.result.stderr.match(/exit-ms=([\d.]+)/)[1]));
  }
  console.log(
    `  timeline of the warm call (ms since process start, median of ${WALL_RUNS}; --debug on):`,
  );
  prev = 0;
  for (const [name, list] of [...phases].sort((x, y) => median(x[1]) - median(y[1]))) {
    const m = median(list);
    console.log(
      `    ${m.toFixed(1).padStart(7)} ms  (+${(m - prev).toFixed(1).padStart(5)})  ${name}`,
    );
    prev = m;
  }
  console.log(`    (node -e 0 exits at ${median(floorExit).toFixed(1)} ms on the same clock)`);

  // 4. CPU profile.
  const profile = (label, args, expect) => {
    const dir = join(profDir, label);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < RUNS; i++) {
      timeRun(
        label,
        process.execPath,
        ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100", ...args],
        { env, expect },
      );
    }
    keep(dir, label);
    return averaged(readProfiles(dir).map((p) => analyse(p.profile)));
  };
  const floorProf = profile("node-e-0", ["-e", "0"]);
  const warmProf = profile("warm", WARM_ARGS.slice(), isHi);
  console.log(
    `  --cpu-prof span (profiler start to exit, mean of ${RUNS}; the profiler slows things): warm ${fmtMs(warmProf.durationMs)}, node -e 0 ${fmtMs(floorProf.durationMs)}`,
  );
  printTop("warm call, self time by package:", warmProf.buckets, warmProf.durationMs);
  printTop("warm call, top functions (self time):", warmProf.functions, warmProf.durationMs, 20);
}

/**
 * What-if: the same CLI code bundled into one file with esbuild (from tsup's
 * dependencies), placed where `../package.json` is the daemon's, so the
 * version check passes. Warm path only.
 */
async function bundleSection() {
  console.log("\n== what-if: the warm call from a bundled CLI (esbuild, warm path only) ==");
  const require = createRequire(realpathSync(join(ROOT, "node_modules/tsup/package.json")));
  const esbuild = require("esbuild");
  const dir = join(base, "bundle");
  mkdirSync(join(dir, "esm"), { recursive: true });
  cpSync(join(ROOT, "packages/daemon/package.json"), join(dir, "package.json"));
  // The ESM build's main, as the bin ran it before the bin loaded dist/main.cjs.
  const entry = join(dir, "mcpward.mjs");
  writeFileSync(
    entry,
    `import { main } from ${JSON.stringify(pathToFileURL(CLI_MAIN).href)};\nmain(process.argv.slice(2));\n`,
  );
  const common = {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    logLevel: "error",
  };
  await esbuild.build({ ...common, format: "esm", splitting: true, outdir: join(dir, "esm") });
  // CJS: only the warm path in the file. The CLI's dynamic imports (yargs
  // commands, policy, …) stay separate files, loaded from dist/ on demand.
  const lazyChunks = {
    name: "dynamic-imports-stay-out",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) =>
        args.kind === "dynamic-import"
          ? { path: join(args.resolveDir, args.path), external: true }
          : null,
      );
    },
  };
  const cjs = {
    ...common,
    format: "cjs",
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'const __bundleUrl = "file://" + __filename;' },
  };
  await esbuild.build({
    ...cjs,
    outfile: join(dir, "cjs", "mcpward.cjs"),
    plugins: [lazyChunks],
  });
  // The same, with the built-ins the warm path does not use (child_process,
  // perf_hooks, os, url) loaded on first use: what lazy imports would give.
  const lazyBuiltins = {
    child_process: ["spawn", "spawnSync", "execFile", "execFileSync", "exec", "fork"],
    perf_hooks: ["performance"],
    os: ["tmpdir", "homedir", "userInfo", "platform", "hostname", "EOL", "type", "constants"],
    url: ["fileURLToPath", "pathToFileURL", "URL"],
  };
  const lazyPlugin = {
    name: "lazy-builtins",
    setup(build) {
      build.onResolve({ filter: /^(node:)?(child_process|perf_hooks|os|url)$/ }, (args) =>
        args.namespace === "lazy-builtin"
          ? { path: args.path, external: true }
          : { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" },
      );
      build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
        loader: "js",
        contents: `let m; const load = () => (m ??= require("node:${args.path}"));
${lazyBuiltins[args.path]
  .map(
    (n) =>
      `Object.defineProperty(exports, ${JSON.stringify(n)}, { enumerable: true, get: () => load()[${JSON.stringify(n)}] });`,
  )
  .join("\n")}`,
      }));
    },
  };
  await esbuild.build({
    ...cjs,
    outfile: join(dir, "lazy", "mcpward.cjs"),
    plugins: [lazyChunks, lazyPlugin],
  });
  const size = (f) => `${(statSync(f).size / 1024).toFixed(0)} KiB`;
  console.log(
    `  sizes: ESM entry ${size(join(dir, "esm", "mcpward.js"))}, CJS ${size(join(dir, "cjs", "mcpward.cjs"))}, CJS lazy ${size(join(dir, "lazy", "mcpward.cjs"))}`,
  );
  timeRun("first call", process.execPath, WARM_ARGS, { env, expect: isHi });
  const tail = WARM_ARGS.slice(1);
  const rows = [
    ["node -e 0", ["-e", "0"]],
    ["CLI as built (packages/cli/bin/mcpward.cjs)", WARM_ARGS.slice(), isHi],
    ["bundled, ESM with split lazy chunks", [join(dir, "esm", "mcpward.js"), ...tail], isHi],
    ["bundled, one CJS file for the warm path", [join(dir, "cjs", "mcpward.cjs"), ...tail], isHi],
    [
      "bundled CJS, child_process/perf_hooks/os/url lazy",
      [join(dir, "lazy", "mcpward.cjs"), ...tail],
      isHi,
    ],
  ];
  const times = rows.map(() => []);
  for (let i = 0; i < 2 + WALL_RUNS; i++) {
    rows.forEach(([label, args, expect], j) => {
      const { ms } = timeRun(label, process.execPath, args, { env, expect });
      if (i >= 2) times[j].push(ms);
    });
  }
  console.log(
    `  wall time, interleaved, median of ${WALL_RUNS}; ratio = median of per-round ratios:`,
  );
  rows.forEach(([label], j) => {
    const ratio = median(times[j].map((t, i) => t / times[0][i]));
    console.log(
      `    ${fmtMs(median(times[j])).padStart(9)}  ${ratio.toFixed(2)}× node -e 0  ${label}`,
    );
  });
}

async function statusSection() {
  console.log(`\n== mcpward daemon status with ${DAEMONS} daemons in the project ==`);
  const started = performance.now();
  const queue = Array.from({ length: DAEMONS }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (queue.length > 0) {
        const i = queue.shift();
        const spec = { ...SERVER_SPEC, env: i === 0 ? {} : { BENCH_DAEMON: String(i) } };
        (await daemonLib.ensureDaemon({ spec, projectDir: ROOT })).client.close();
      }
    }),
  );
  console.log(
    `  ${DAEMONS} daemons started in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const statusArgs = [WARM_ARGS[0], "daemon", "status"];
  const trace = traceModules("status", statusArgs);
  summariseModules("daemon status modules", trace, traceModules("node-e-0", ["-e", "0"]));
  const walls = { status: [], warm: [] };
  for (let i = 0; i < 2 + RUNS * 2; i++) {
    const w = timeRun("warm", process.execPath, WARM_ARGS, { env, expect: isHi }).ms;
    const st = timeRun("status", process.execPath, statusArgs, { env }).ms;
    if (i >= 2) {
      walls.warm.push(w);
      walls.status.push(st);
    }
  }
  console.log(
    `  wall: daemon status ${fmtMs(median(walls.status))}, warm call ${fmtMs(median(walls.warm))} (median of ${RUNS * 2}, interleaved)`,
  );
  const dir = join(profDir, "status");
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < RUNS; i++) {
    timeRun(
      "status (profiled)",
      process.execPath,
      ["--cpu-prof", "--cpu-prof-dir", dir, ...statusArgs],
      {
        env,
      },
    );
  }
  keep(dir, "status");
  const prof = averaged(readProfiles(dir).map((p) => analyse(p.profile)));
  console.log(`  --cpu-prof span, mean of ${RUNS}: ${fmtMs(prof.durationMs)}`);
  printTop("daemon status, self time by package:", prof.buckets, prof.durationMs, 12);
  printTop("daemon status, top functions (self time):", prof.functions, prof.durationMs, 15);
}

async function coldSection() {
  console.log("\n== cold call: the CLI, the daemon and the server on one timeline ==");
  await daemonLib.stopAll({ projectDir: ROOT, env });
  const dir = join(profDir, "cold");
  mkdirSync(dir, { recursive: true });
  const { ms } = timeRun("cold call (profiled)", process.execPath, WARM_ARGS, {
    env: profiledEnv(dir),
    expect: isHi,
  });
  // The daemon and the server write their profiles when they exit.
  await daemonLib.stopAll({ projectDir: ROOT, env });
  await new Promise((r) => setTimeout(r, 500));
  keep(dir, "cold");
  const profiles = readProfiles(dir).map(({ profile }) => {
    const a = analyse(profile);
    const urls = profile.nodes.map((n) => n.callFrame.url);
    const role = urls.some((u) => u.includes("daemon-entry"))
      ? "daemon"
      : urls.some((u) => u.includes("packages/cli/"))
        ? "CLI"
        : urls.some((u) => u.includes("utility-server"))
          ? "server"
          : "other";
    return { role, a, profile };
  });
  const cli = profiles.find((p) => p.role === "CLI");
  if (!cli) throw new HarnessError("cold: no CLI profile written");
  const t0 = cli.a.startUs;
  console.log(`  wall of the profiled cold call: ${fmtMs(ms)} (profilers add overhead)`);
  for (const p of profiles.sort((x, y) => x.a.startUs - y.a.startUs)) {
    const start = (p.a.startUs - t0) / 1000;
    const busy = [...p.a.buckets]
      .filter(([k]) => !k.startsWith("(idle"))
      .reduce((s, [, us]) => s + us, 0);
    console.log(
      `  ${p.role.padEnd(7)} profiler start +${start.toFixed(0).padStart(4)} ms, span ${fmtMs(p.a.durationMs)} (busy ${fmtMs(busy / 1000)})`,
    );
  }
  // What keeps the server from starting sooner: the daemon's work before it
  // spawns it (the server's environment may drop NODE_OPTIONS, so the spawn
  // is found in the daemon's own profile).
  const daemon = profiles.find((p) => p.role === "daemon");
  const spawnUs = daemon
    ? firstSampleIn(daemon.profile, (f) => f.functionName === "ChildProcess.spawn")
    : null;
  if (daemon && spawnUs !== null) {
    console.log(`  daemon spawns the server at +${((spawnUs - t0) / 1000).toFixed(0)} ms`);
    const before = analyse(daemon.profile, { fromUs: daemon.a.startUs, toUs: spawnUs });
    const busy = [...before.buckets].filter(([k]) => !k.startsWith("(idle"));
    const busyMs = busy.reduce((sum, [, us]) => sum + us, 0) / 1000;
    console.log(
      `  daemon before its server started: ${fmtMs(before.durationMs)}, of which busy ${fmtMs(busyMs)}`,
    );
    printTop(
      "daemon before the server starts, self time by package",
      new Map(busy.map(([k, us]) => [k, us / 1000])),
      before.durationMs,
      10,
    );
    const fns = analyse(daemon.profile, { fromUs: daemon.a.startUs, toUs: spawnUs });
    printTop(
      "daemon before the server starts, top functions",
      new Map(
        [...fns.functions].filter(([k]) => !k.startsWith("(idle")).map(([k, us]) => [k, us / 1000]),
      ),
      before.durationMs,
      12,
    );
  }
  for (const p of profiles) {
    const ms = new Map([...p.a.buckets].map(([k, us]) => [k, us / 1000]));
    printTop(`${p.role}: self time by package`, ms, p.a.durationMs, 8);
  }
}

async function daemonSection() {
  console.log(`\n== daemon: ${CALLS} calls over one connection, daemon under --cpu-prof ==`);
  const dir = join(profDir, "daemon");
  mkdirSync(dir, { recursive: true });
  const spec = { ...SERVER_SPEC, env: { BENCH_PROFILE: "1" } };
  const daemonEnv = profiledEnv(dir);
  const { client } = await daemonLib.ensureDaemon({ spec, projectDir: ROOT, env: daemonEnv });
  for (let i = 0; i < 200; i++) await client.call({ tool: "echo", tokens: ["--text", "hi"] });
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const window = { fromUs: nowUs() };
  for (let i = 0; i < CALLS; i++) await client.call({ tool: "echo", tokens: ["--text", "hi"] });
  window.toUs = nowUs();
  const perCall = (window.toUs - window.fromUs) / 1000 / CALLS;
  client.close();
  await daemonLib.stopAll({ projectDir: ROOT, env });
  await new Promise((r) => setTimeout(r, 500));
  keep(dir, "daemon");
  console.log(
    `  ${fmtMs(perCall)} per call under the profiler; figures below cover only the ${CALLS} measured calls (after 200 warm-up calls)`,
  );
  for (const { profile } of readProfiles(dir)) {
    const urls = profile.nodes.map((n) => n.callFrame.url);
    const role = urls.some((u) => u.includes("daemon-entry")) ? "daemon" : "server";
    const a = analyse(profile, window);
    const busy = new Map([...a.buckets].filter(([k]) => !k.startsWith("(idle")));
    const busyMs = [...busy.values()].reduce((s, us) => s + us, 0) / 1000;
    console.log(
      `  ${role}: busy ${fmtMs(busyMs)} of ${a.durationMs.toFixed(0)} ms = ${fmtMs(busyMs / CALLS)} CPU per call`,
    );
    printTop(
      `${role}: self time by package (ms)`,
      new Map([...busy].map(([k, us]) => [k, us / 1000])),
      busyMs,
      10,
    );
    printTop(
      `${role}: top functions (ms)`,
      new Map(
        [...a.functions].filter(([k]) => !k.startsWith("(idle")).map(([k, us]) => [k, us / 1000]),
      ),
      busyMs,
      20,
    );
  }
}

try {
  daemonLib = await loadDaemonClient();
  console.log(
    `profiles in ${profDir}${process.env.BENCH_PROFILE_OUT ? `, kept in ${process.env.BENCH_PROFILE_OUT}` : ""}`,
  );
  for (const s of sections) {
    if (s === "warm") await warmSection();
    else if (s === "cold") await coldSection();
    else if (s === "daemon") await daemonSection();
    else if (s === "bundle") await bundleSection();
    else if (s === "status") await statusSection();
    else throw new HarnessError(`unknown section ${s} (warm, bundle, cold, daemon, status)`);
  }
} catch (error) {
  console.error(`\nprofile failed: ${error instanceof HarnessError ? error.message : error.stack}`);
  process.exitCode = 2;
} finally {
  if (daemonLib) await stopEverything(daemonLib, env).catch(() => {});
  remove();
}
