import { describe, expect, it } from "vitest";
import { secretArgValues } from "./secret-args.js";

describe("secretArgValues", () => {
  it("finds the value after a secret-looking flag given as two tokens", () => {
    expect(secretArgValues(["server.mjs", "--password", "hunter22", "--port", "8080"])).toEqual([
      "hunter22",
    ]);
    expect(secretArgValues(["--api-key", "abcd1234", "-token", "t0k3n-value"])).toEqual([
      "abcd1234",
      "t0k3n-value",
    ]);
    expect(secretArgValues(["--client_secret", "s3cr3t", "--auth", "user:pw12"])).toEqual([
      "s3cr3t",
      "user:pw12",
    ]);
  });

  it("finds values of --flag=value and KEY=VALUE tokens with secret names", () => {
    expect(
      secretArgValues(["--db-password=pa55word", "-e", "GITHUB_TOKEN=abc12345", "MODE=fast"]),
    ).toEqual(["pa55word", "abc12345"]);
  });

  it("does not take the next flag as a value", () => {
    expect(secretArgValues(["--token", "--verbose", "--password"])).toEqual([]);
  });

  it("leaves ordinary flags and values alone", () => {
    expect(secretArgValues(["run", "--port", "3000", "--name=token-bot"])).toEqual([]);
  });

  it("ignores empty values", () => {
    expect(secretArgValues(["--password=", "TOKEN=", "--secret", ""])).toEqual([]);
  });
});
