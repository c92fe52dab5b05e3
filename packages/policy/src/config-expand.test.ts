// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config templates, written with ${VAR}
import { McpwardError } from "@mcpward/core";
import { describe, expect, it } from "vitest";
import { expandTemplate, literalText, parseTemplate } from "./config-expand.js";

const where = { file: "/p/mcpward.config.json", path: ["servers", "github", "env", "TOKEN"] };

function failure(template: string, env: Record<string, string> = {}): McpwardError {
  try {
    expandTemplate(template, env, where);
  } catch (error) {
    if (McpwardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${template} to fail`);
}

describe("expandTemplate: attacks and mistakes", () => {
  it("names a missing variable, the file and the JSON path, never a value", () => {
    const error = failure("Bearer ${MISSING}", { OTHER: "ghp_secret" });
    expect(error.code).toBe("BAD_CONFIG");
    expect(error.message).toBe(
      "/p/mcpward.config.json: servers.github.env.TOKEN: ${MISSING} is not set in your environment; set MISSING before running mcpward, or remove the reference",
    );
  });

  it("keeps $${LITERAL} literal", () => {
    expect(expandTemplate("$${LITERAL}", { LITERAL: "expanded" }, where)).toBe("${LITERAL}");
    expect(expandTemplate("cost: $$5", {}, where)).toBe("cost: $5");
    expect(expandTemplate("$$$${A}", { A: "x" }, where)).toBe("$${A}");
  });

  it("refuses a lone $ instead of silently keeping $HOME", () => {
    expect(failure("$HOME/bin").message).toContain('lone "$" at character 1');
    expect(failure("a$").message).toContain(
      "write ${NAME} to use a variable or $$ for a literal $",
    );
  });

  it("refuses shell forms it does not support", () => {
    expect(failure("${A:-default}").message).toContain("not a plain variable name");
    expect(failure("${A").message).toContain('unclosed "${"');
    expect(failure("${}").message).toContain("not a plain variable name");
    expect(failure("${$(id)}").message).toContain("not a plain variable name");
  });

  it("treats prototype names as variables that are not set", () => {
    expect(failure("${toString}").message).toContain("${toString} is not set");
    expect(failure("${constructor}").message).toContain("${constructor} is not set");
  });
});

describe("expandTemplate", () => {
  it("expands ${VAR} anywhere in a value, and an empty variable to nothing", () => {
    expect(expandTemplate("Bearer ${TOKEN}", { TOKEN: "abc" }, where)).toBe("Bearer abc");
    expect(expandTemplate("${A}${B}-${A}", { A: "1", B: "2" }, where)).toBe("12-1");
    expect(expandTemplate("x${EMPTY}y", { EMPTY: "" }, where)).toBe("xy");
    expect(expandTemplate("plain", {}, where)).toBe("plain");
  });

  it("does not expand what a variable contains", () => {
    expect(expandTemplate("${A}", { A: "${B}", B: "no" }, where)).toBe("${B}");
  });
});

describe("parseTemplate and literalText", () => {
  it("splits literals and references", () => {
    expect(parseTemplate("a${B}$$c", where)).toEqual([
      { literal: "a" },
      { variable: "B" },
      { literal: "$c" },
    ]);
    expect(literalText("Bearer ${TOKEN}", where)).toBe("Bearer ");
    expect(literalText("${TOKEN}", where)).toBe("");
  });
});
