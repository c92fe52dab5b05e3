// Scenario 2: a plain TypeScript project depending on the @mcpward/core
// tarball type-checks with `moduleResolution` node16 and bundler (strict,
// library .d.ts checked too) and runs the identity and sanitisation functions
// of both entries, `@mcpward/core` and `@mcpward/core/light`.
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  assertNotLinked,
  check,
  copyFixture,
  describe,
  exec,
  npm,
  root,
  workspaceVersion,
  writeJson,
} from "./lib.mjs";

export async function coreConsumer(ctx) {
  const dir = join(ctx.tmp, "core-consumer");
  copyFixture("core-consumer", dir);
  copyFileSync(
    join(root, "packages", "core", "src", "identity.vectors.json"),
    join(dir, "identity.vectors.json"),
  );
  writeJson(join(dir, "package.json"), {
    name: "core-consumer",
    private: true,
    type: "module",
    dependencies: { "@mcpward/core": `file:${ctx.tarballs["@mcpward/core"].file}` },
    devDependencies: {
      typescript: workspaceVersion("typescript"),
      "@types/node": workspaceVersion("@types/node"),
    },
  });
  npm(["install"], dir);
  assertNotLinked(join(dir, "node_modules", "@mcpward", "core"));
  const installed = readdirSync(join(dir, "node_modules")).filter((n) => !n.startsWith("."));
  const unexpected = installed.filter(
    (n) => !["@mcpward", "valibot", "typescript", "@types", "undici-types"].includes(n),
  );
  check(unexpected.length === 0, `core pulled in more than valibot: ${unexpected.join(", ")}`);

  const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
  for (const config of ["tsconfig.bundler.json", "tsconfig.node16.json"]) {
    const result = exec(process.execPath, [tsc, "-p", config], { cwd: dir, allowFailure: true });
    check(result.status === 0, `tsc -p ${config}: ${describe(result)}`);
  }
  const run = exec(process.execPath, [join(dir, "out", "index.js")], {
    cwd: dir,
    allowFailure: true,
  });
  check(run.status === 0, `running the compiled consumer: ${describe(run)}`);
  return `tsc node16 + bundler ok; ${run.stdout.trim()}`;
}
