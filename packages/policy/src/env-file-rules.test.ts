import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkEnvFiles, envFileNames, findEnvFiles } from "./env-file-rules.js";
import { classifyServer, codeFiles } from "./trust-level.js";

let proj: string;
const isRoot = process.getuid?.() === 0;

beforeEach(() => {
  proj = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-envfile-")));
  chmodSync(proj, 0o755);
  writeFileSync(join(proj, "server.mjs"), "");
});

afterEach(() => {
  rmSync(proj, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(proj, name);
  writeFileSync(path, content, { mode: 0o644 });
  return path;
}

function check(command: string, args: string[]) {
  return checkEnvFiles(command, args, { cwd: proj });
}

function rules(decisions: { rule: string }[]): string[] {
  return decisions.map((d) => d.rule);
}

describe("checkEnvFiles: blocked variables in an env file", () => {
  it.each([
    ["--env-file=./evil.env"],
    ["--env-file", "./evil.env"],
    ["--env-file", "evil.env"],
    ["--env-file-if-exists=evil.env"],
    ["--env-file-if-exists", "evil.env"],
  ])("node %s … denies NODE_OPTIONS, naming the variable, the file and the rule", (...flag) => {
    file("evil.env", "# setup\nNODE_OPTIONS=--require=./x.cjs\n");
    const decisions = check("node", [...flag, "server.mjs"]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ action: "deny", rule: "env.blocked" });
    expect(decisions[0]!.reason).toContain("NODE_OPTIONS");
    expect(decisions[0]!.reason).toContain(`in --env-file ${join(proj, "evil.env")}`);
    expect(decisions[0]!.reason).not.toContain("x.cjs");
  });

  it("lowercase ld_preload, `export PATH=…`, padded names and CRLF lines", () => {
    file(
      "evil.env",
      "SAFE=1\r\nld_preload=/x.so\r\n  export PATH=/tmp/evil:/usr/bin\r\n  BASH_ENV = /x.sh\r\n",
    );
    const reasons = check("node", ["--env-file=evil.env", "server.mjs"]).map((d) => d.reason);
    expect(reasons).toHaveLength(3);
    expect(reasons.join("\n")).toMatch(/ld_preload[\s\S]*PATH[\s\S]*BASH_ENV/);
  });

  it("bun --env-file, deno run --env-file=, tsx, uv run, and `env node …`", () => {
    file("evil.env", "NODE_OPTIONS=--inspect\n");
    for (const [command, args] of [
      ["bun", ["--env-file", "evil.env", "server.mjs"]],
      ["bun", ["run", "--env-file=evil.env", "server.mjs"]],
      ["deno", ["run", "--env-file=evil.env", "server.mjs"]],
      ["deno", ["run", "--env-file", "evil.env", "server.mjs"]],
      ["tsx", ["--env-file=evil.env", "server.mjs"]],
      ["uv", ["run", "--env-file", "evil.env", "server.py"]],
      ["/usr/bin/env", ["node", "--env-file=evil.env", "server.mjs"]],
    ] as const) {
      expect(rules(check(command, [...args])), `${command} ${args.join(" ")}`).toEqual([
        "env.blocked",
      ]);
    }
  });

  it("deno's bare --env-file loads .env", () => {
    file(".env", "LD_PRELOAD=/x.so\n");
    expect(rules(check("deno", ["run", "--env-file", "server.mjs"]))).toEqual(["env.blocked"]);
  });

  it("every env file is read, each decision names its file", () => {
    file("a.env", "A=1\n");
    file("b.env", "PYTHONPATH=/x\n");
    const decisions = check("node", ["--env-file=a.env", "--env-file", "b.env", "server.mjs"]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.reason).toContain(join(proj, "b.env"));
  });

  it("a harmless env file, comments and blank lines: allowed", () => {
    file("ok.env", "# comment\n\nexport API_URL=https://x\nTOKEN='a=b'\nMULTI=\"line\nmore\"\n");
    expect(check("node", ["--env-file=ok.env", "server.mjs"])).toEqual([]);
  });

  it("--env-file after the script is the script's argument: ignored", () => {
    file("evil.env", "NODE_OPTIONS=--inspect\n");
    expect(check("node", ["server.mjs", "--env-file=evil.env"])).toEqual([]);
    expect(check("node", ["server.mjs", "--env-file", "missing.env"])).toEqual([]);
    expect(check("node", ["--", "server.mjs", "--env-file=evil.env"])).toEqual([]);
  });

  it("programs that read no env file: nothing to check", () => {
    file("evil.env", "NODE_OPTIONS=--inspect\n");
    expect(check("python", ["server.py", "--env-file=evil.env"])).toEqual([]);
    expect(check("some-server", ["--env-file=evil.env"])).toEqual([]);
  });
});

describe("checkEnvFiles: files that cannot be checked fail closed", () => {
  it("a missing --env-file: denied; a missing --env-file-if-exists: fine", () => {
    const missing = check("node", ["--env-file=missing.env", "server.mjs"]);
    expect(rules(missing)).toEqual(["env.file-unreadable"]);
    expect(missing[0]!.reason).toContain(join(proj, "missing.env"));
    expect(check("node", ["--env-file-if-exists=missing.env", "server.mjs"])).toEqual([]);
    expect(check("node", ["--env-file-if-exists", "missing.env", "server.mjs"])).toEqual([]);
  });

  it("a 1 MiB env file (harmless content): denied", () => {
    file("big.env", `A=${"x".repeat(1024 * 1024)}\n`);
    const decisions = check("node", ["--env-file=big.env", "server.mjs"]);
    expect(rules(decisions)).toEqual(["env.file-unreadable"]);
    expect(decisions[0]!.reason).toContain("64 KiB");
  });

  it("a directory as env file: denied", () => {
    mkdirSync(join(proj, "dir.env"));
    expect(rules(check("node", ["--env-file=dir.env", "server.mjs"]))).toEqual([
      "env.file-unreadable",
    ]);
    // Present but not a file: denied even with --env-file-if-exists.
    expect(rules(check("node", ["--env-file-if-exists=dir.env", "server.mjs"]))).toEqual([
      "env.file-unreadable",
    ]);
  });

  it.skipIf(process.platform === "win32")("a FIFO as env file: denied without hanging", () => {
    execFileSync("mkfifo", [join(proj, "fifo.env")]);
    expect(rules(check("node", ["--env-file=fifo.env", "server.mjs"]))).toEqual([
      "env.file-unreadable",
    ]);
  });

  it.skipIf(isRoot || process.platform === "win32")(
    "a symlink to a file the user cannot read (like /etc/shadow): denied",
    () => {
      const secret = file("shadow", "NODE_OPTIONS=--inspect\n");
      chmodSync(secret, 0o000);
      symlinkSync(secret, join(proj, "link.env"));
      expect(rules(check("node", ["--env-file=link.env", "server.mjs"]))).toEqual([
        "env.file-unreadable",
      ]);
    },
  );

  it.skipIf(process.platform !== "linux")(
    "a symlink to a file that fails to read (even for root): denied",
    () => {
      symlinkSync("/proc/self/mem", join(proj, "link.env"));
      expect(rules(check("node", ["--env-file=link.env", "server.mjs"]))).toEqual([
        "env.file-unreadable",
      ]);
    },
  );
});

describe("env file names", () => {
  it("reads names as Node does, erring towards more", () => {
    expect(
      envFileNames("\uFEFFA=1\n# B=2\nexport C=3\n\nD\n E : 5\n=x\nF=a=b\nexport\tG=1\n"),
    ).toEqual(["A", "C", "E", "F", "G"]);
  });

  it("finds env files for the command, its executable and later interpreters", () => {
    expect(findEnvFiles("/opt/bin/srv", ["--env-file=a.env", "x.js"], "/usr/bin/node")).toEqual([
      { path: "a.env", optional: false, nested: false },
    ]);
    expect(findEnvFiles("timeout", ["5", "node", "--env-file-if-exists", "b.env", "x.js"])).toEqual(
      [{ path: "b.env", optional: true, nested: true }],
    );
  });
});

describe("env files in the trust classification", () => {
  function classify(args: string[]) {
    return classifyServer({
      command: process.execPath,
      args,
      envNames: [],
      projectDir: proj,
      cwd: proj,
      pathValue: undefined,
    });
  }

  it("an env file counts in the content hash (codeFiles)", () => {
    const env = file("app.env", "A=1\n");
    const result = classify(["--env-file", "app.env", "server.mjs"]);
    expect(result.envFiles).toEqual([env]);
    expect(codeFiles(result)).toContain(env);
    expect(classify(["--env-file-if-exists=missing.env", "server.mjs"]).envFiles).toEqual([]);
  });

  it("an env file others can change makes the server untrusted, like a script", () => {
    const open = join(proj, "open");
    mkdirSync(open);
    chmodSync(open, 0o1777);
    writeFileSync(join(open, "app.env"), "A=1\n", { mode: 0o644 });
    const result = classify(["--env-file=open/app.env", "server.mjs"]);
    expect(result.level).toBe(4);
    expect(result.reasons[0]).toMatch(/^file\.world-writable-dir: env file /);

    const writable = file("writable.env", "A=1\n");
    chmodSync(writable, 0o666);
    expect(classify(["--env-file=writable.env", "server.mjs"]).level).toBe(4);
  });
});
