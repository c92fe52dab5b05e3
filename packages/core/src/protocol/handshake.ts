import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Wire protocol version; a client and daemon that differ cannot talk. */
export const PROTOCOL_VERSION = 1;

const PROOF_CONTEXT = "mcpward-hello-v1";

/** A fresh random nonce (32 hex characters) for one hello. */
export function createNonce(): string {
  return randomBytes(16).toString("hex");
}

/** A fresh per-daemon secret (64 hex characters), stored only in 0600 metadata. */
export function createSecret(): string {
  return randomBytes(32).toString("hex");
}

/**
 * HMAC-SHA256 proof that `role` knows the daemon's secret, bound to both
 * nonces so a proof cannot be replayed on another connection or reflected
 * back with the other role.
 */
export function computeProof(
  secret: string,
  role: "client" | "server",
  clientNonce: string,
  serverNonce: string,
): string {
  return createHmac("sha256", secret)
    .update(`${PROOF_CONTEXT}\n${role}\n${clientNonce}\n${serverNonce}`)
    .digest("hex");
}

/** Checks a proof in constant time. */
export function verifyProof(
  proof: unknown,
  secret: string,
  role: "client" | "server",
  clientNonce: string,
  serverNonce: string,
): boolean {
  if (typeof proof !== "string" || !/^[0-9a-f]{64}$/.test(proof)) return false;
  const expected = Buffer.from(computeProof(secret, role, clientNonce, serverNonce), "hex");
  return timingSafeEqual(expected, Buffer.from(proof, "hex"));
}
