import { describe, expect, it } from "vitest";
import { isSecretKey, REDACTED, redactSecrets } from "./redact.js";

// Fake credentials of the right shapes (none is valid anywhere).
const GITHUB_CLASSIC = `ghp_${"A1b2C3d4E5".repeat(4)}`;
const GITHUB_FINE = `github_pat_${"11ABCDEFG0".repeat(3)}_${"x".repeat(20)}`;
const OPENAI = `sk-proj-${"a1B2c3D4".repeat(4)}`;
const SLACK = "xoxb-123456789012-abcdefghijkl";
const AWS = "AKIAIOSFODNN7EXAMPLE";
const JWT =
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

describe("redactSecrets: token-shaped values in text", () => {
  it.each([
    ["GitHub classic token", GITHUB_CLASSIC],
    ["GitHub fine-grained token", GITHUB_FINE],
    ["OpenAI-style key", OPENAI],
    ["Slack token", SLACK],
    ["AWS access key id", AWS],
    ["JWT", JWT],
    ["GitLab token", `glpat-${"abcdefghij".repeat(2)}`],
    ["npm token", `npm_${"a".repeat(36)}`],
  ])("masks a %s wherever it appears", (_, secret) => {
    const out = redactSecrets(`using ${secret} now`);
    expect(out).toBe(`using ${REDACTED} now`);
  });

  it("masks a Bearer credential, keeping the words around it", () => {
    expect(redactSecrets("sent Bearer abc.DEF-123_xyz== ok")).toBe(`sent ${REDACTED} ok`);
  });

  it("masks the credential after Basic in an Authorization header, not only the scheme", () => {
    const out = redactSecrets("Authorization: Basic dXNlcjpodW50ZXIy");
    expect(out).not.toContain("dXNlcjpodW50ZXIy");
    expect(out).toBe(`Authorization: Basic ${REDACTED}`);
  });

  it("masks every cookie on a Cookie header line, and only that line", () => {
    const out = redactSecrets("Cookie: theme=dark; session=s3cr3t\nHost: example.org");
    expect(out).not.toContain("s3cr3t");
    expect(out).toBe(`Cookie: ${REDACTED}\nHost: example.org`);
  });

  it("masks a PEM private key, even one cut off before its END line", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    expect(redactSecrets(`key:\n${pem}\ndone`)).toBe(`key:\n${REDACTED}\ndone`);
    const cut = redactSecrets("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq");
    expect(cut).not.toContain("MIIEvQIBADANBgkq");
  });
});

describe("redactSecrets: secret key/value pairs in text", () => {
  it.each([
    ["token=abc123", `token=${REDACTED}`],
    ["API_KEY=abc123", `API_KEY=${REDACTED}`],
    ["apikey: abc123", `apikey: ${REDACTED}`],
    ["db_password = hunter2;", `db_password = ${REDACTED};`],
    ["passwd=hunter2&user=bob", `passwd=${REDACTED}&user=bob`],
    ["client_secret='abc'", `client_secret='${REDACTED}'`],
    ['{"password":"hunter2","user":"bob"}', `{"password":"${REDACTED}","user":"bob"}`],
    ["private_key: abc", `private_key: ${REDACTED}`],
    ["cookie=abc", `cookie=${REDACTED}`],
  ])("masks %s", (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it("masks a quoted value with spaces whole, not just its first word", () => {
    expect(redactSecrets('password="correct horse battery"')).toBe(`password="${REDACTED}"`);
    expect(redactSecrets('{"secret": "two words"}')).toBe(`{"secret": "${REDACTED}"}`);
    expect(redactSecrets("PASSWORD='a b' next")).toBe(`PASSWORD='${REDACTED}' next`);
  });

  it("masks a value whose closing quote is missing", () => {
    expect(redactSecrets('token="abc')).toBe(`token="${REDACTED}`);
  });

  it("leaves ordinary words and non-secret pairs untouched", () => {
    const prose = "hello monkey, the keyboard and donkey went to user=bob name: alice";
    expect(redactSecrets(prose)).toBe(prose);
  });

  it("leaves an empty value as it is", () => {
    expect(redactSecrets('password=""')).toBe('password=""');
  });

  it("stays fast on long words, which a backtracking key pattern would not", () => {
    // Sized so a quadratic or cubic pattern fails in seconds rather than hanging
    // the run (a megabyte of base64 would take it hours): the old pattern took
    // about 8 s on these, the current one about 1 ms.
    const inputs = ["a".repeat(30_000), "token".repeat(500), `${"x.".repeat(10_000)}=v`];
    const started = performance.now();
    for (const input of inputs) expect(redactSecrets(input)).toBe(input);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("redactSecrets: structured values", () => {
  it("masks values under secret-looking keys at any depth", () => {
    const out = redactSecrets({
      env: { GITHUB_TOKEN: "abc", PATH: "/bin", Authorization: "Basic x", Cookie: "a=b" },
      list: [{ password: "p", passwd: "q", api_key: "k", apiKey: "k2", private_key: "pk" }],
      name: "server",
    });
    expect(JSON.parse(JSON.stringify(out))).toEqual({
      env: { GITHUB_TOKEN: REDACTED, PATH: "/bin", Authorization: REDACTED, Cookie: REDACTED },
      list: [
        {
          password: REDACTED,
          passwd: REDACTED,
          api_key: REDACTED,
          apiKey: REDACTED,
          private_key: REDACTED,
        },
      ],
      name: "server",
    });
  });

  it("masks a whole object under a secret key", () => {
    const out = redactSecrets({ credentials: { user: "u", pass: "p" } }) as Record<string, unknown>;
    expect(out.credentials).toBe(REDACTED);
  });

  it("keeps empty and missing values under secret keys visible as such", () => {
    expect({ ...redactSecrets({ token: "", secret: null }) }).toEqual({ token: "", secret: null });
  });

  it("redacts strings under ordinary keys as text", () => {
    const out = redactSecrets({ message: `failed with ${GITHUB_CLASSIC}` }) as { message: string };
    expect(out.message).toBe(`failed with ${REDACTED}`);
  });

  it("returns null-prototype objects and keeps non-string primitives", () => {
    const out = redactSecrets({ n: 1, b: true, z: null }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect({ ...out }).toEqual({ n: 1, b: true, z: null });
  });

  it("cuts a cycle at the first repeat", () => {
    // With two back references a walk that relied on the depth cap alone
    // would take 2^64 steps; one per value is enough to see where it is cut.
    const cyclic: Record<string, unknown> = { token: "t" };
    cyclic.self = cyclic;
    const out = redactSecrets(cyclic) as Record<string, unknown>;
    expect(out.self).toBe("[CIRCULAR]");
    expect(out.token).toBe(REDACTED);
    const list: unknown[] = ["x"];
    list.push({ back: list });
    expect(JSON.parse(JSON.stringify(redactSecrets(list)))).toEqual(["x", { back: "[CIRCULAR]" }]);
  });

  it("copies a shared, non-cyclic object in both places", () => {
    const shared = { v: 1 };
    const out = redactSecrets({ a: shared, b: shared });
    expect(JSON.parse(JSON.stringify(out))).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });

  it("truncates nesting beyond 64 levels", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(JSON.stringify(redactSecrets(deep))).toContain("[TRUNCATED]");
  });
});

describe("isSecretKey", () => {
  it.each([
    "token",
    "GITHUB_TOKEN",
    "accessToken",
    "client_secret",
    "password",
    "PASSWD",
    "pwd",
    "api_key",
    "apikey",
    "API-KEY",
    "Authorization",
    "cookie",
    "Set-Cookie",
    "private_key",
    "privateKey",
    "aws_access_key_id",
    "credentials",
    "session_id",
    "passphrase",
  ])("treats %s as secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(["PATH", "HOME", "name", "monkey", "keyboard", "author", "user", "host", "port"])(
    "treats %s as ordinary",
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});
