import { describe, expect, it } from "vitest";
import { isInside } from "./path-inside.js";

describe("isInside", () => {
  it("tells /proj from /proj-evil and /projects", () => {
    expect(isInside("/proj-evil", "/proj")).toBe(false);
    expect(isInside("/proj-evil/x", "/proj")).toBe(false);
    expect(isInside("/projects/x", "/proj")).toBe(false);
  });

  it("accepts the directory itself and anything below it", () => {
    expect(isInside("/proj", "/proj")).toBe(true);
    expect(isInside("/proj/a/b", "/proj")).toBe(true);
    expect(isInside("/proj/a", "/proj/")).toBe(true);
    expect(isInside("/anything", "/")).toBe(true);
  });

  it("does not accept the parent", () => {
    expect(isInside("/", "/proj")).toBe(false);
  });
});
