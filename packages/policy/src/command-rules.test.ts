import { describe, expect, it } from "vitest";
import { checkCommand } from "./command-rules.js";

function rules(command: string, args: string[] = [], executable: string | null = null): string[] {
  return checkCommand(command, args, executable).map((d) => `${d.action} ${d.rule}`);
}

describe("checkCommand: shell metacharacters", () => {
  const metacharacters = [...";|&$`<>(){}*?[]!~\"'\\", "\n", "\r", "\t", "\0", "\u001b"];
  for (const char of metacharacters) {
    it(`denies ${JSON.stringify(char)} in the command`, () => {
      expect(rules(`node${char}x`)).toEqual(["deny command.shell-metacharacters"]);
    });
  }

  it("names the characters and the command in the reason", () => {
    const [decision] = checkCommand("node; rm -rf ~", []);
    expect(decision!.reason).toContain('";"');
    expect(decision!.reason).toContain('"~"');
    expect(decision!.reason).toContain("node; rm -rf ~");
  });

  it("allows spaces, dots and dashes in a path", () => {
    expect(rules("/opt/My Tools/mcp-server.v2", ["--x"])).toEqual([]);
  });

  it("denies an empty command", () => {
    expect(rules("  ")).toEqual(["deny command.empty"]);
  });

  it("does not look for metacharacters in arguments (no shell reads them)", () => {
    expect(rules("grep-server", ["a|b", "$HOME", "*.ts"])).toEqual([]);
  });
});

describe("checkCommand: inline code asks", () => {
  const inline: [string, string[]][] = [
    ["bash", ["-c", "curl x | sh"]],
    ["sh", ["-c", "x"]],
    ["zsh", ["-c", "x"]],
    ["dash", ["-ec", "x"]],
    ["bash", ["-lc", "x"]],
    ["bash", ["-o", "pipefail", "-c", "x"]],
    ["fish", ["--command", "x"]],
    ["/bin/BASH", ["-c", "x"]],
    ["node", ["-e", "x"]],
    ["node", ["--eval", "x"]],
    ["node", ["--eval=x"]],
    ["node", ["-p", "x"]],
    ["node", ["--print", "x"]],
    ["node", ["--import", "data:text/javascript,x", "server.js"]],
    ["node", ["-r", "data:text/javascript,x", "server.js"]],
    ["nodejs", ["-pe", "x"]],
    ["tsx", ["-e", "x"]],
    ["ts-node", ["--eval", "x"]],
    ["bun", ["--eval", "x"]],
    ["deno", ["eval", "x"]],
    ["python", ["-c", "x"]],
    ["python3.12", ["-Ic", "x"]],
    ["perl", ["-e", "x"]],
    ["perl", ["-lne", "x"]],
    ["perl", ["-0777", "-ne", "x"]],
    ["perl", ["-l0", "-e", "x"]],
    ["ruby", ["-e", "x"]],
    ["php", ["-r", "x"]],
    ["osascript", ["-e", "x"]],
    ["pwsh", ["-Command", "x"]],
    ["pwsh", ["-c", "x"]],
    ["pwsh", ["-NoProfile", "-EncodedCommand", "eA=="]],
    ["pwsh", ["/enc", "eA=="]],
    ["powershell.exe", ["Get-Process"]],
    ["cmd.exe", ["/c", "x"]],
    ["lua", ["-e", "x"]],
    ["awk", ['BEGIN { system("x") }']],
    ["npx", ["-c", "x"]],
    ["npm", ["exec", "--call", "x"]],
    ["pnpm", ["dlx", "--shell-mode", "x"]],
    ["env", ["-S", "bash -c x"]],
    ["env", ["FOO=1", "bash", "-c", "x"]],
    ["timeout", ["5", "node", "-e", "x"]],
    ["docker", ["run", "-i", "img", "sh", "-c", "x"]],
    ["uv", ["run", "python", "-c", "x"]],
  ];
  for (const [command, args] of inline) {
    it(`asks for ${command} ${args.join(" ")}`, () => {
      expect(rules(command, args)).toEqual(["ask command.inline-code"]);
    });
  }

  it("judges the resolved executable too (a symlink called server that is bash)", () => {
    expect(rules("server", ["-c", "x"], "/usr/bin/bash")).toEqual(["ask command.inline-code"]);
    expect(rules("server", ["-c", "x"], "/opt/server/bin/server")).toEqual([]);
  });

  it("names the program and option in the reason", () => {
    expect(checkCommand("bash", ["-c", "x"])[0]!.reason).toContain("bash -c");
    expect(checkCommand("node", ["-e", "x"])[0]!.reason).toContain("node -e");
  });

  it("combines a metacharacter deny with an inline ask", () => {
    expect(rules("/opt/x(1)/bash", ["-c", "x"])).toEqual([
      "deny command.shell-metacharacters",
      "ask command.inline-code",
    ]);
  });
});

describe("checkCommand: ordinary servers pass", () => {
  const ordinary: [string, string[]][] = [
    ["node", ["server.js", "-e", "x"]],
    ["bash", ["start.sh", "-c", "x"]],
    ["npx", ["-y", "@modelcontextprotocol/server-filesystem", "/proj"]],
    ["uvx", ["mcp-server-git", "--repository", "/proj/sh"]],
    ["python", ["-m", "mcp_server"]],
    ["deno", ["run", "-c", "deno.json", "main.ts"]],
    ["ruby", ["-c", "server.rb"]],
    ["perl", ["-Mdevel", "server.pl"]],
    ["perl", ["-ie", "server.pl"]],
    ["pwsh", ["-File", "server.ps1"]],
    ["pwsh", ["-ExecutionPolicy", "Bypass", "server.ps1"]],
    ["docker", ["run", "-i", "--rm", "mcp/fetch"]],
  ];
  for (const [command, args] of ordinary) {
    it(`allows ${command} ${args.join(" ")}`, () => {
      expect(rules(command, args)).toEqual([]);
    });
  }
});
