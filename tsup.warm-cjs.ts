import { relative, resolve, sep } from "node:path";
import type { Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/** Options of {@link warmCjsBuild}. */
export interface WarmCjsOptions {
  /** Packages bundled into the file (the rest stay `require`s). */
  inline: string[];
  /**
   * Package subpaths required by file instead of through the package's
   * `exports`, e.g. `{ "@mcpward/daemon/client": "dist/client.cjs" }` (see
   * {@link requireByPath}).
   */
  byPath?: Record<string, string>;
}

/**
 * A CommonJS bundle of a warm-path entry (`dist/<name>.cjs`), loaded with
 * `require` so a warm CLI call never goes through the ESM loader.
 * `import.meta.url` is the bundle's own file URL, so paths resolved against
 * it stay inside the package. Relative dynamic imports are not inlined: they
 * stay `import()`s of the ESM build's file at the same path under dist/,
 * which the package's ESM build must emit as an entry.
 *
 * It shares dist/ with the ESM build of the same package and the two run at
 * once, so that build must not clean `*.cjs` files ({@link keepCjs}).
 */
export function warmCjsBuild(entry: Record<string, string>, options: WarmCjsOptions): Options {
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
    // Less source to parse on every call (measured about 1 ms of CPU for the
    // two bundles); names are kept, and the source map maps lines back.
    minifyWhitespace: true,
    minifySyntax: true,
    // byPath specifiers too, so the plugin below sees them (tsup's own
    // external plugin would mark them external first).
    noExternal: [...options.inline, ...Object.keys(options.byPath ?? {})],
    define: { "import.meta.url": "__importMetaUrl" },
    // The banner comes before esbuild's own "use strict", so it repeats it.
    // node:url is loaded during Node's bootstrap anyway.
    banner: {
      js: '"use strict";\nconst __importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    esbuildPlugins: [
      lazyImportsStayOut(resolve("src")),
      ...Object.entries(options.byPath ?? {}).map(([s, file]) => requireByPath(s, file)),
    ],
  };
}

/** Clean patterns for an ESM build that shares dist/ with a {@link warmCjsBuild}. */
export const keepCjs: string[] = ["!**/*.cjs", "!**/*.cjs.map"];

/**
 * Leaves `import("./x.js")` in files under `srcDir` as an external dynamic
 * import of `./x.js` relative to dist/: the bundle sits in dist/ as its
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

/**
 * Requires `specifier` (`<package>/<subpath>`) as `<package dir>/<file>`:
 * the package is looked up in the node_modules directories above the bundle
 * in Node's order, and the file is required by its path. Resolving a bare
 * specifier through a package's `exports` loads Node's ESM resolver and
 * reads the package.json, about 2 ms of a warm call. When the first package
 * found has no such file, or none is found (Yarn PnP, NODE_PATH), it falls
 * back to `require(specifier)`.
 */
function requireByPath(specifier: string, file: string): EsbuildPlugin {
  const pkg = specifier.startsWith("@")
    ? specifier.split("/").slice(0, 2).join("/")
    : specifier.split("/")[0]!;
  const filter = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
  return {
    name: "require-by-path",
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.namespace === "require-by-path"
          ? { path: specifier, external: true }
          : { path: specifier, namespace: "require-by-path" },
      );
      build.onLoad({ filter: /.*/, namespace: "require-by-path" }, () => ({
        loader: "js",
        resolveDir: resolve("."),
        contents: `const { existsSync } = require("node:fs");
const { basename, dirname, join } = require("node:path");
function load() {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, "node_modules", ${JSON.stringify(pkg)});
    if (basename(dir) !== "node_modules" && existsSync(pkg)) {
      const file = join(pkg, ${JSON.stringify(file)});
      return existsSync(file) ? require(file) : require(${JSON.stringify(specifier)});
    }
    if (dirname(dir) === dir) return require(${JSON.stringify(specifier)});
  }
}
module.exports = load();
`,
      }));
    },
  };
}
