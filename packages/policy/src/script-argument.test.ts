import { describe, expect, it } from "vitest";
import { scriptArgument } from "./script-argument.js";

const cases: [string, string[], string | null][] = [
  // Inline code, modules and stdin name no script.
  ["bash", ["-c", "./evil.sh"], null],
  ["bash", ["-lc", "./evil.sh"], null],
  ["sh", ["-s", "x.sh"], null],
  ["node", ["-e", "require('./x.js')", "x.js"], null],
  ["node", ["--eval=1", "x.js"], null],
  ["node", ["-pe", "1", "x.js"], null],
  ["node", ["--import", "data:text/javascript,0", "x.js"], null],
  ["node", ["-", "x.js"], null],
  ["python3", ["-c", "print(1)", "x.py"], null],
  ["python", ["-m", "server", "x.py"], null],
  ["deno", ["eval", "x.ts"], null],
  ["bun", ["x", "some-package"], null],
  ["uv", ["run", "mcp-server-git"], null],
  ["uv", ["run", "--module", "server"], null],
  ["uvx", ["mcp-server-fetch"], null],
  ["perl", ["-ne", "print", "x.pl"], null],
  // Scripts, past interpreter options.
  ["node", ["server.js", "--port", "1"], "server.js"],
  [
    "node",
    ["--require", "./setup.js", "-r", "./b.js", "--inspect", "dist/server.js"],
    "dist/server.js",
  ],
  ["node", ["--env-file", ".env", "--", "server.js"], "server.js"],
  ["/usr/local/bin/node22", ["server.mjs"], "server.mjs"],
  ["python3.12", ["-u", "-W", "ignore", "-X", "utf8", "server.py"], "server.py"],
  ["python", ["-Wignore", "server.py"], "server.py"],
  ["uv", ["run", "--with", "mcp", "--python", "3.12", "server.py"], "server.py"],
  ["uv", ["run", "./tools/serve"], "./tools/serve"],
  ["deno", ["run", "-A", "--config", "deno.json", "main.ts"], "main.ts"],
  ["deno", ["main.ts"], "main.ts"],
  ["bun", ["run", "server.ts"], "server.ts"],
  ["bun", ["server.ts"], "server.ts"],
  ["tsx", ["watch", "server.ts"], "server.ts"],
  ["ts-node", ["-P", "tsconfig.json", "server.ts"], "server.ts"],
  ["bash", ["-o", "pipefail", "-x", "start.sh"], "start.sh"],
  ["bash", ["--rcfile", "rc", "start.sh", "-c", "x"], "start.sh"],
  ["perl", ["-Mstrict", "-I", "lib", "server.pl"], "server.pl"],
  ["ruby", ["-I", "lib", "-rjson", "server.rb"], "server.rb"],
  ["php", ["-d", "x=1", "-f", "server.php"], "server.php"],
  ["php", ["server.php"], "server.php"],
  // Not an interpreter mcpward reads.
  ["my-server", ["server.js"], null],
  ["npx", ["-y", "server.js"], null],
];

describe("scriptArgument", () => {
  for (const [command, args, expected] of cases) {
    it(`${command} ${args.join(" ")} → ${expected}`, () => {
      expect(scriptArgument(command, args)).toBe(expected);
    });
  }
});
