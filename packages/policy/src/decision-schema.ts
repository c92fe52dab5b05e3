/**
 * What a valid decision from a plugin looks like. A reason is shown to the
 * user on a terminal, so it must be one line without control or
 * bidirectional-override characters (which could disguise it).
 */

import * as v from "valibot";
import type { Decision } from "./policy.js";

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Schema of a {@link Decision} returned by a plugin. */
export const DecisionSchema: v.GenericSchema<unknown, Decision> = v.object({
  action: v.picklist(["allow", "ask", "deny"], "action must be allow, ask or deny"),
  reason: v.pipe(
    v.string("reason must be a string"),
    v.minLength(1, "reason must not be empty"),
    v.maxLength(500, "reason must be at most 500 characters"),
    v.check((text) => !CONTROL.test(text), "reason must be one line of plain text"),
  ),
  rule: v.pipe(
    v.string("rule must be a string"),
    v.minLength(1, "rule must not be empty"),
    v.maxLength(100, "rule must be at most 100 characters"),
    v.check((text) => !CONTROL.test(text) && !/\s/.test(text), "rule must be one word"),
  ),
});
