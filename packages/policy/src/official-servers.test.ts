import { describe, expect, it } from "vitest";
import {
  launchedPackage,
  OFFICIAL_SERVERS,
  officialPackage,
  splitPackageSpec,
} from "./official-servers.js";

describe("launchedPackage", () => {
  it("finds the package after each runner and its harmless options", () => {
    expect(launchedPackage("npx", ["-y", "--", "pkg@1", "--flag"])).toMatchObject({
      runner: "npx",
      spec: "pkg@1",
      plain: true,
    });
    expect(launchedPackage("/usr/bin/pnpm", ["dlx", "pkg"])).toMatchObject({
      runner: "pnpm dlx",
      spec: "pkg",
    });
    expect(launchedPackage("yarn", ["dlx", "pkg"])).toMatchObject({
      runner: "yarn dlx",
      spec: "pkg",
    });
    expect(launchedPackage("bun", ["x", "pkg"])).toMatchObject({ runner: "bun x", spec: "pkg" });
    expect(launchedPackage("npm", ["exec", "pkg"])).toMatchObject({
      runner: "npm exec",
      spec: "pkg",
    });
  });

  it("marks any other runner option as not plain", () => {
    expect(launchedPackage("npx", ["--registry=https://evil", "pkg"])?.plain).toBe(false);
    expect(launchedPackage("npx", ["-c", "pkg"])?.plain).toBe(false);
  });

  it("is null for commands that are not runners", () => {
    expect(launchedPackage("pnpm", ["install"])).toBeNull();
    expect(launchedPackage("node", ["npx"])).toBeNull();
  });
});

describe("splitPackageSpec", () => {
  it("splits scoped and unscoped specs", () => {
    expect(splitPackageSpec("@a/b@1.2.3")).toEqual({ name: "@a/b", version: "1.2.3" });
    expect(splitPackageSpec("@a/b")).toEqual({ name: "@a/b", version: null });
    expect(splitPackageSpec("b@latest")).toEqual({ name: "b", version: "latest" });
  });
});

describe("officialPackage", () => {
  it("accepts each listed reference server with an optional plain version", () => {
    for (const name of OFFICIAL_SERVERS) {
      expect(officialPackage("npx", [`@modelcontextprotocol/server-${name}@1.0.0`])).toBe(
        `@modelcontextprotocol/server-${name}`,
      );
    }
  });

  it("refuses aliases, ranges and unlisted names", () => {
    expect(officialPackage("npx", ["@modelcontextprotocol/server-memory@npm:evil"])).toBeNull();
    expect(officialPackage("npx", ["@modelcontextprotocol/server-memory@>=1 <2"])).toBeNull();
    expect(officialPackage("npx", ["@modelcontextprotocol/server-github"])).toBeNull();
    expect(officialPackage("npx", ["@modelcontextprotocol/sdk"])).toBeNull();
  });
});
