import { describe, expect, it } from "vitest";
import log from "./fixtures/budget-log.json";
import { canonical, verifyLog, type LogEntry } from "./logChain";

// budget-log.json was written by the participation service's own domain.log_entry (non-ASCII
// titles, a float, quotes and a newline), so both sides must agree byte for byte.
const entries = log.items as unknown as LogEntry[];

describe("the budget log's hash chain", () => {
  it("recomputes a log the service produced and matches its published head", async () => {
    const result = await verifyLog(entries, log.published);
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.head).toBe(log.head.hash);
  });

  it("catches an edited ballot", async () => {
    const edited = entries.map((entry) => structuredClone(entry));
    (edited[3].data as { project_ids: string[] }).project_ids = ["p2"];
    const result = await verifyLog(edited, log.published);
    expect(result.valid).toBe(false);
    expect(result.problems).toContain("entry 4: hash does not recompute");
  });

  it("catches a log rewritten consistently from the first entry (the published head differs)", async () => {
    const forged = log.published.map((head) => ({ ...head, hash: "f".repeat(64) }));
    expect((await verifyLog(entries, forged)).valid).toBe(false);
  });

  it("writes JSON like Python: keys sorted, no spaces, text unescaped", () => {
    expect(canonical({ b: 1, a: ["é", null, 0.5] })).toBe('{"a":["é",null,0.5],"b":1}');
  });
});
