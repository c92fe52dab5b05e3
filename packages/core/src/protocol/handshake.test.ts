import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  computeProof,
  createNonce,
  createSecret,
  PROTOCOL_VERSION,
  verifyProof,
} from "./handshake.js";

const secret = createSecret();
const clientNonce = createNonce();
const serverNonce = createNonce();
const clientProof = computeProof(secret, "client", clientNonce, serverNonce);

describe("verifyProof: what it refuses", () => {
  it("refuses a proof made with another secret", () => {
    const forged = computeProof(createSecret(), "client", clientNonce, serverNonce);
    expect(verifyProof(forged, secret, "client", clientNonce, serverNonce)).toBe(false);
  });

  it("refuses the server's proof reflected back as the client's", () => {
    const serverProof = computeProof(secret, "server", clientNonce, serverNonce);
    expect(serverProof).not.toBe(clientProof);
    expect(verifyProof(serverProof, secret, "client", clientNonce, serverNonce)).toBe(false);
    expect(verifyProof(clientProof, secret, "server", clientNonce, serverNonce)).toBe(false);
  });

  it("refuses a proof with the nonces swapped", () => {
    expect(verifyProof(clientProof, secret, "client", serverNonce, clientNonce)).toBe(false);
  });

  it("refuses a proof replayed on a connection with another nonce", () => {
    expect(verifyProof(clientProof, secret, "client", clientNonce, createNonce())).toBe(false);
    expect(verifyProof(clientProof, secret, "client", createNonce(), serverNonce)).toBe(false);
  });

  it.each([
    ["a non-string", 12345],
    ["undefined", undefined],
    ["null", null],
    ["an object", { toString: () => clientProof }],
    ["a buffer", Buffer.from(clientProof, "hex")],
    ["an empty string", ""],
    ["a proof one character short", clientProof.slice(0, -1)],
    ["a proof one character long", `${clientProof}0`],
    ["half a proof", clientProof.slice(0, 32)],
    ["non-hex characters", `${clientProof.slice(0, -1)}g`],
    ["uppercase hex", clientProof.toUpperCase()],
    ["surrounding whitespace", ` ${clientProof.slice(1)}`],
    ["a trailing newline", `${clientProof}\n`],
  ])("refuses %s without throwing", (_, proof) => {
    expect(verifyProof(proof, secret, "client", clientNonce, serverNonce)).toBe(false);
  });

  it("refuses a proof with one flipped bit", () => {
    const last = Number.parseInt(clientProof.slice(-1), 16) ^ 1;
    const flipped = `${clientProof.slice(0, -1)}${last.toString(16)}`;
    expect(verifyProof(flipped, secret, "client", clientNonce, serverNonce)).toBe(false);
  });
});

describe("verifyProof and computeProof", () => {
  it("accepts the right proof for each role", () => {
    expect(verifyProof(clientProof, secret, "client", clientNonce, serverNonce)).toBe(true);
    const serverProof = computeProof(secret, "server", clientNonce, serverNonce);
    expect(verifyProof(serverProof, secret, "server", clientNonce, serverNonce)).toBe(true);
  });

  it("computes an HMAC-SHA256 over a context string, the role and both nonces", () => {
    const expected = createHmac("sha256", "s3cret")
      .update("mcpward-hello-v1\nclient\ncn\nsn")
      .digest("hex");
    expect(computeProof("s3cret", "client", "cn", "sn")).toBe(expected);
  });

  it("is deterministic and 64 lowercase hex characters", () => {
    expect(computeProof(secret, "client", clientNonce, serverNonce)).toBe(clientProof);
    expect(clientProof).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("createNonce and createSecret", () => {
  it("make fresh lowercase hex values of 32 and 64 characters", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(createSecret()).toMatch(/^[0-9a-f]{64}$/);
    expect(createSecret()).not.toBe(createSecret());
  });
});

describe("PROTOCOL_VERSION", () => {
  it("is a positive integer", () => {
    expect(Number.isInteger(PROTOCOL_VERSION) && PROTOCOL_VERSION > 0).toBe(true);
  });
});
