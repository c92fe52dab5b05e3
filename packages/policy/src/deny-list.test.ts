import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DenyListSubject, denyListMatch } from "./deny-list.js";

let root: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-deny-")));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function subject(
  command: string,
  args: string[] = [],
  executable: string | null = null,
): DenyListSubject {
  return { command, args, executable, script: null };
}

describe("denyListMatch", () => {
  it("matches a bare name against the program name, in any case and version", () => {
    expect(denyListMatch(["evil-server"], subject("/opt/bin/Evil-Server"))).toBe("evil-server");
    expect(denyListMatch(["python3"], subject("python3.12"))).toBe("python3");
    expect(denyListMatch(["EVIL"], subject("evil"))).toBe("EVIL");
  });

  it("matches a bare name against the resolved executable's name (an alias does not dodge it)", () => {
    expect(denyListMatch(["evil-server"], subject("innocent", [], "/opt/evil-server"))).toBe(
      "evil-server",
    );
  });

  it("matches a path against the real path of the executable or script, resolving the entry", () => {
    const real = join(root, "evil");
    writeFileSync(real, "");
    symlinkSync(real, join(root, "link"));
    expect(denyListMatch([join(root, "link")], subject("alias", [], real))).toBe(
      join(root, "link"),
    );
    expect(
      denyListMatch([real], {
        command: "node",
        args: [],
        executable: "/usr/bin/node",
        script: real,
      }),
    ).toBe(real);
  });

  it("does not let a path entry match every program with the same name", () => {
    expect(denyListMatch(["/opt/evil/bin/node"], subject("node", [], "/usr/bin/node"))).toBeNull();
  });

  it("matches packages given to a runner, with or without version", () => {
    expect(denyListMatch(["@evil/mcp"], subject("npx", ["-y", "@Evil/MCP@1.2.3"]))).toBe(
      "@evil/mcp",
    );
    expect(denyListMatch(["left-pad"], subject("pnpm", ["dlx", "left-pad@latest"]))).toBe(
      "left-pad",
    );
    expect(denyListMatch(["@evil/mcp"], subject("node", ["@evil/mcp"]))).toBeNull();
  });

  it("ignores empty entries and returns null when nothing matches", () => {
    expect(denyListMatch(["", "  ", "other"], subject("srv"))).toBeNull();
  });
});
