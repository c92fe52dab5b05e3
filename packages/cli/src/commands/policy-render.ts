import type { PolicyReport } from "./policy-report.js";

const LABEL_WIDTH = 13;
const LINE_WIDTH = 100;

/** `label` padded to the value column, then `value`. */
function field(label: string, value: string, indent = ""): string {
  return `${indent}${label.padEnd(LABEL_WIDTH - indent.length)}${value}`;
}

/** Names joined by ", " and wrapped under the value column. */
function wrapNames(names: readonly string[], first: string): string {
  const pad = " ".repeat(LABEL_WIDTH);
  const lines: string[] = [];
  let line = first;
  for (const [i, name] of names.entries()) {
    const word = i < names.length - 1 ? `${name},` : name;
    const candidate = line.endsWith(" ") || line === "" ? `${line}${word}` : `${line} ${word}`;
    if (candidate.length > LINE_WIDTH - LABEL_WIDTH && line.trim() !== "") {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines.join(`\n${pad}`);
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.join(", ");
}

function approvalStatus(report: PolicyReport): string {
  const { trust } = report;
  if (trust.level === 4) return "level 4 is always denied; it cannot be approved";
  if (trust.level === 3) {
    return trust.approved
      ? "approved in your trust store for this content"
      : "not approved yet: the first start asks (approve ahead with mcpward policy trust -- <server>)";
  }
  return `no approval needed at level ${trust.level}${trust.approved ? " (an approval is stored too)" : ""}`;
}

/** What the approval mode means for this server's tool calls. */
function approvalNote(report: PolicyReport): string {
  if (report.tools.approval === "always") return " (every tool call asks)";
  return report.tools.approval === "on-request" && report.trust.level === 3
    ? " (each tool of a level-3 server asks until tools.allow lists it or you answer always)"
    : " (only tools on the ask list ask)";
}

function outcomeLine(report: PolicyReport): string {
  const { outcome } = report;
  switch (outcome.action) {
    case "allow":
      return `allow: mcpward would start this server (rule ${outcome.rule})`;
    case "deny":
      return `deny: mcpward will not start this server (rule ${outcome.rule}): ${outcome.reason}`;
    default:
      return `ask: mcpward will ask before starting this server (rule ${outcome.rule}): ${outcome.reason}. On a terminal you answer; without one, or with CI set, ask means deny unless --yes is given`;
  }
}

/**
 * The report of `mcpward policy check` as aligned plain text: the server
 * and its trust level with every finding, one line per start rule, the
 * environment (names only), the tool rules, plugins and config files, and
 * the outcome last.
 */
export function renderPolicyReport(report: PolicyReport): string {
  const { trust, environment: env, tools } = report;
  const out: string[] = [
    field("server", report.server),
    field("project", report.projectDir),
    field("daemon id", report.daemonId),
    field("trust", `level ${trust.level} (${trust.name})`),
    ...trust.reasons.map((reason) => field("", reason)),
    field("executable", trust.executable ?? "(not found)"),
  ];
  if (trust.script !== null) out.push(field("script", trust.script));
  out.push(
    field(
      "content",
      trust.contentHash ?? `(no hash: ${trust.contentProblem ?? "nothing to hash"})`,
    ),
    field("approval", approvalStatus(report)),
    "",
    "start rules",
  );
  const ruleWidth = Math.max(...report.rules.map((line) => line.rule.length));
  for (const line of report.rules) {
    out.push(`  ${line.action.padEnd(6)} ${line.rule.padEnd(ruleWidth)}  ${line.reason}`);
  }
  out.push("", field("environment", env.mode));
  if (trust.level !== 4) {
    out.push(
      field(
        "passed",
        wrapNames(env.inherited, `${env.inherited.length} from your environment: `),
        "  ",
      ),
    );
    out.push(field("explicit", list(env.explicit), "  "));
  }
  if (env.refused.length > 0) out.push(field("refused", list(env.refused), "  "));
  if (trust.level !== 4) {
    out.push(field("withheld", wrapNames(env.withheld, `${env.withheld.length}: `), "  "));
  }
  out.push(
    "",
    "tool calls",
    field("approval", `${tools.approval}${approvalNote(report)}`, "  "),
    field("allow", list(tools.allow), "  "),
    field("deny", list(tools.deny), "  "),
    field("ask", list(tools.ask), "  "),
    field("roots", list(tools.roots), "  "),
  );
  if (report.plugins.length === 0) out.push(field("plugins", "(none)", "  "));
  for (const [i, plugin] of report.plugins.entries()) {
    const where = plugin.path === null ? "" : ` ${plugin.path}`;
    out.push(
      field(
        i === 0 ? "plugins" : "",
        `${plugin.name}: ${plugin.state} (${plugin.origin} config)${where}`,
        "  ",
      ),
    );
  }
  const { config } = report;
  out.push(
    "",
    field("config", config.project ?? "no project config (mcpward.config.json)"),
    field("", config.user ?? "no user config"),
  );
  if (config.profile !== null) out.push(field("profile", config.profile));
  for (const warning of config.warnings) out.push(field("warning", warning));
  out.push("", field("outcome", outcomeLine(report)));
  return `${out.join("\n")}\n`;
}
