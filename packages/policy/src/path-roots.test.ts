import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkPathArguments } from "./path-roots.js";

let root: string;
let proj: string;
let evil: string;
let outside: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "mcpward-roots-")));
  proj = join(root, "proj");
  evil = join(root, "proj-evil");
  outside = join(root, "outside");
  for (const dir of [proj, join(proj, "src"), evil, outside, join(outside, "a", "b")]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(proj, "src", "index.ts"), "");
  writeFileSync(join(evil, "secret"), "");
  writeFileSync(join(outside, "secret"), "");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const schema = { properties: { path: { type: "string" }, paths: { type: "array" } } };

function check(path: unknown, roots: string[] = [proj], base?: string): string[] {
  return checkPathArguments({ path }, schema, roots, base === undefined ? {} : { base }).map(
    (d) => `${d.action} ${d.rule}`,
  );
}

const DENY = ["deny path.outside-roots"];

describe("checkPathArguments: attacks", () => {
  it("tells /proj from /proj-evil", () => {
    expect(check(join(evil, "secret"))).toEqual(DENY);
    expect(check(evil)).toEqual(DENY);
    expect(check("../proj-evil/secret")).toEqual(DENY);
  });

  it("applies .. wherever it appears", () => {
    expect(check("..")).toEqual(DENY);
    expect(check("src/../../outside/secret")).toEqual(DENY);
    expect(check(`${proj}/src/../../outside`)).toEqual(DENY);
    expect(check("./src/./../src/index.ts")).toEqual([]);
  });

  it("follows a symlink in the project that points outside (to /tmp or elsewhere)", () => {
    symlinkSync(outside, join(proj, "link"));
    symlinkSync(tmpdir(), join(proj, "tmp"));
    expect(check("link")).toEqual(DENY);
    expect(check("link/secret")).toEqual(DENY);
    expect(check("link/not-yet-there.txt")).toEqual(DENY);
    expect(check("tmp/x")).toEqual(DENY);
  });

  it("follows a dangling symlink to where writing through it would create a file", () => {
    symlinkSync(join(outside, "created-later"), join(proj, "dangling"));
    symlinkSync("../outside/rel-later", join(proj, "dangling-rel"));
    expect(check("dangling")).toEqual(DENY);
    expect(check("dangling-rel")).toEqual(DENY);
  });

  it("applies .. after a symlink as the kernel does, not textually", () => {
    symlinkSync(join(outside, "a", "b"), join(proj, "deep"));
    // Textually deep/../x is proj/x; the kernel reaches outside/a/x.
    expect(check("deep/../x")).toEqual(DENY);
  });

  it("follows symlinks again after .. climbs back out of a not-yet-existing directory", () => {
    symlinkSync(outside, join(proj, "link"));
    expect(check("new-dir/../link/secret")).toEqual(DENY);
  });

  it("judges symlinked parent directories by their real path", () => {
    const alias = join(root, "alias");
    symlinkSync(proj, alias);
    expect(check(join(alias, "src", "index.ts"))).toEqual([]);
    expect(check(join(proj, "src", "index.ts"), [alias])).toEqual([]);
    expect(check(join(alias, "..", "outside"))).toEqual(DENY);
  });

  it("decodes file:// URIs, including encoded dots", () => {
    expect(check(pathToFileURL(join(outside, "secret")).href)).toEqual(DENY);
    expect(check(`file://${proj}/%2e%2e/proj-evil/secret`)).toEqual(DENY);
    expect(check(pathToFileURL(join(proj, "src", "index.ts")).href)).toEqual([]);
    expect(check(`file://${proj}/a%2Fb`)).toEqual(["deny path.unresolvable"]);
    expect(check("file://attacker.example/share/x")).toEqual(["deny path.unresolvable"]);
  });

  it("expands ~ like servers do, and refuses ~user", () => {
    expect(homedir().startsWith(proj)).toBe(false);
    expect(check("~/.ssh/id_ed25519")).toEqual(DENY);
    expect(check("~", [homedir()])).toEqual([]);
    expect(check("~root/.ssh")).toEqual(["deny path.unresolvable"]);
  });

  it("denies a NUL byte and a symlink loop", () => {
    symlinkSync("loop-b", join(proj, "loop-a"));
    symlinkSync("loop-a", join(proj, "loop-b"));
    expect(check("src/index.ts\0/../../../etc")).toEqual(["deny path.unresolvable"]);
    expect(check("loop-a/x")).toEqual(["deny path.unresolvable"]);
  });

  it("checks every item of an array of paths", () => {
    const decisions = checkPathArguments(
      { paths: ["src/index.ts", "/etc/passwd", "src"] },
      schema,
      [proj],
    );
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.reason).toContain("paths[1]");
    expect(decisions[0]!.reason).toContain('"/etc/passwd"');
  });

  it("denies every path when no root exists", () => {
    expect(check("src/index.ts", [join(root, "gone")])).toEqual(DENY);
  });
});

describe("checkPathArguments: inside the roots", () => {
  it("allows files and directories inside, existing or not yet", () => {
    expect(check("src/index.ts")).toEqual([]);
    expect(check(proj)).toEqual([]);
    expect(check(`${proj}/`)).toEqual([]);
    expect(check("new/dir/file.txt")).toEqual([]);
  });

  it("allows a symlink inside that points inside", () => {
    symlinkSync(join(proj, "src"), join(proj, "code"));
    expect(check("code/index.ts")).toEqual([]);
  });

  it("accepts any of several roots", () => {
    expect(check(join(outside, "secret"), [proj, outside])).toEqual([]);
  });

  it("resolves relative paths against base", () => {
    expect(check("secret", [proj, outside], outside)).toEqual([]);
    expect(check("secret", [proj], outside)).toEqual(DENY);
  });

  it("skips URLs of other schemes and empty strings", () => {
    expect(check("https://example.com/etc/passwd")).toEqual([]);
    expect(check("")).toEqual([]);
  });

  it("leaves arguments that are not paths alone", () => {
    expect(checkPathArguments({ content: "/etc/passwd", count: 3 }, {}, [proj])).toEqual([]);
  });

  it("names the argument, the path and the roots in the reason", () => {
    const [decision] = checkPathArguments({ file: "../proj-evil/secret" }, {}, [proj]);
    expect(decision!.reason).toContain("argument file");
    expect(decision!.reason).toContain('"../proj-evil/secret"');
    expect(decision!.reason).toContain(join(evil, "secret"));
    expect(decision!.reason).toContain(proj);
  });

  // root bypasses permission checks, so this case only exists for ordinary users.
  it.skipIf(process.getuid?.() === 0)("cannot judge a directory it may not search", () => {
    const locked = join(proj, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0);
    expect(check("locked/x")).toEqual(["deny path.unresolvable"]);
  });
});
