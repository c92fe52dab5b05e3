// The package a module specifier imports, for check-deps.
import { builtinModules } from "node:module";

const BUILTINS = new Set(builtinModules);

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`), or null. */
export function packageNameOf(specifier) {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("#")) {
    return null;
  }
  if (specifier.startsWith("node:")) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return null; // data:, file:, https:
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  if (BUILTINS.has(name) || BUILTINS.has(specifier)) return null;
  return name;
}
