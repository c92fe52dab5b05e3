import { describe, expect, it } from "vitest";
import { commandName } from "./command-name.js";

describe("commandName", () => {
  it("reduces paths, case, extensions and versions to one program name", () => {
    expect(commandName("/usr/bin/python3.12")).toBe("python");
    expect(commandName("PYTHON3.EXE")).toBe("python");
    expect(commandName("C:\\Tools\\Node.exe")).toBe("node");
    expect(commandName("nodejs")).toBe("node");
    expect(commandName("/bin/BASH")).toBe("bash");
    expect(commandName("pypy3")).toBe("python");
    expect(commandName("gawk")).toBe("awk");
  });

  it("keeps other names whole", () => {
    expect(commandName("python-server")).toBe("python-server");
    expect(commandName("@scope/server-x")).toBe("server-x");
    expect(commandName("my-server2")).toBe("my-server2");
  });
});
