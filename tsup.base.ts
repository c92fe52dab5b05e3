import { relative, resolve, sep } from "node:path";
import type { Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * Shared build settings: ESM only, Node 20 target, declarations for the
 * public entries. Each package passes its own entry points (worker and daemon
 * entries are separate because they are loaded by path).
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    outDir: "dist",
    ...overrides,
  };
}

/**
 * A CommonJS bundle of a warm-path entry (`dist/<name>.cjs`), loaded with
 * `require` so a warm CLI call never goes through the ESM loader. The
 * packages named in `inline` are bundled in; other dependencies stay
 * `require`s. `import.meta.url` is the bundle's own file URL, so paths
 * resolved against it stay inside the package. Relative dynamic imports are
 * not inlined: they stay `import()`s of the ESM build's file at the same
 * path under dist/, which the package's ESM build must emit as an entry.
 *
 * It shares dist/ with the ESM build of the same package, so that build must
 * not clean `*.cjs` files (see {@link keepCjs}).
 */
export function warmCjsBuild(entry: Record<string, string>, inline: string[]): Options {
  return {
    entry,
    format: ["cjs"],
    target: "node20",
    platform: "node",
    dts: false,
    sourcemap: true,
    clean: false,
    splitting: false,
    // esbuild's own tree shaking; tsup's rollup pass would rewrite the output.
    treeshake: false,
    outDir: "dist",
    outExtension: () => ({ js: ".cjs" }),
    noExternal: inline,
    define: { "import.meta.url": "__importMetaUrl" },
    // The banner comes before esbuild's own "use strict", so it repeats it.
    // node:url is loaded during Node's bootstrap anyway.
    banner: {
      js: '"use strict";\nconst __importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    esbuildPlugins: [lazyImportsStayOut(resolve("src"))],
  };
}

/** Clean patterns for an ESM build that shares dist/ with a {@link warmCjsBuild} (they run at once). */
export const keepCjs: string[] = ["!**/*.cjs", "!**/*.cjs.map"];

/**
 * Leaves `import("./x.js")` in files under `srcDir` as an external dynamic
 * import of `./x.js` relative to dist/: the output file sits in dist/ as the
 * source sits in src/, and the ESM build emits `dist/x.js`.
 */
function lazyImportsStayOut(srcDir: string): EsbuildPlugin {
  return {
    name: "lazy-imports-stay-out",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== "dynamic-import" || !args.importer.startsWith(srcDir + sep)) return null;
        const target = relative(srcDir, resolve(args.resolveDir, args.path));
        return { path: `./${target.split(sep).join("/")}`, external: true };
      });
    },
  };
}
