import { type ApprovalRequest, McpwardError } from "@mcpward/core";
import type { Decision } from "@mcpward/policy";
import type { IncomingRequest } from "./connection.js";

/** How long a user may take to answer an approval prompt. */
const APPROVAL_TIMEOUT_MS = 10 * 60 * 1000;

/** How the client said it can take an `ask`. */
export interface ApprovalParams {
  /** `--yes`: approve an ask for this one request. */
  approve?: boolean | undefined;
  /** The client can prompt its user. */
  interactive?: boolean | undefined;
}

/**
 * Turns a policy decision into go or stop for one request. Deny throws
 * `POLICY_DENIED`. Ask is approved by `--yes`, or by the user of the
 * connection that made the request (an `approval` event answered by an
 * `approve` request from that connection); a client that cannot prompt gets
 * `APPROVAL_REFUSED` with the hint. An "always" answer calls `remember`.
 *
 * @returns how the request was let through
 */
export async function settleDecision(
  decision: Decision,
  request: IncomingRequest,
  params: ApprovalParams,
  details: Omit<ApprovalRequest, "reason" | "rule">,
  remember: () => void,
): Promise<"allowed" | "approved-once" | "approved-always" | "pre-approved"> {
  if (decision.action === "allow") return "allowed";
  const what = details.kind === "server-start" ? "starting this server" : `calling ${details.tool}`;
  if (decision.action === "deny") {
    throw new McpwardError(
      "POLICY_DENIED",
      `denied ${what}: ${decision.reason} (rule ${decision.rule})`,
      {
        data: { rule: decision.rule },
      },
    );
  }
  if (params.approve) return "pre-approved";
  if (!params.interactive) {
    throw new McpwardError(
      "APPROVAL_REFUSED",
      `${what} needs approval: ${decision.reason} (rule ${decision.rule}); run it from a terminal to be asked, or add --yes to approve this one call`,
      { data: { rule: decision.rule } },
    );
  }
  const answer = await request.connection.askApproval(
    request.id,
    { ...details, reason: decision.reason, rule: decision.rule },
    request.signal,
    APPROVAL_TIMEOUT_MS,
  );
  if (request.signal.aborted) {
    throw new McpwardError("CANCELLED", `${what} was cancelled while waiting for approval`);
  }
  if (answer === "deny") {
    throw new McpwardError(
      "APPROVAL_REFUSED",
      `${what} was refused at the approval prompt (rule ${decision.rule})`,
      {
        data: { rule: decision.rule },
      },
    );
  }
  if (answer === "always") {
    remember();
    return "approved-always";
  }
  return "approved-once";
}
