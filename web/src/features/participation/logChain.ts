// The budget log's hash chain, recomputed in the browser (docs/participation.md): each entry's
// hash is sha256(previous hash + canonical JSON of the entry without its hash), canonical meaning
// keys sorted, no spaces, UTF-8; the first entry's previous hash is 64 zeros. A copy is genuine
// when the chain recomputes and entry number `entries` has the published hash of every head.

export const GENESIS = "0".repeat(64);

export type LogEntry = { seq: number; prev_hash: string; hash: string; [field: string]: unknown };
export type LogHead = { entries: number; hash: string };
export type Verification = { valid: boolean; entries: number; head: string; problems: string[] };

/** JSON as Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function entryHash(previous: string, entry: LogEntry): Promise<string> {
  const { hash: _ignored, ...body } = entry;
  return sha256Hex(previous + canonical(body));
}

/** Recomputes every hash in order and checks each published head against the copy. */
export async function verifyLog(entries: LogEntry[], published: LogHead[]): Promise<Verification> {
  const problems: string[] = [];
  let previous = GENESIS;
  for (const [index, entry] of entries.entries()) {
    if (entry.seq !== index + 1) problems.push(`entry ${index + 1}: numbered ${entry.seq}`);
    if (entry.prev_hash !== previous) problems.push(`entry ${entry.seq}: does not follow the previous hash`);
    const hash = await entryHash(previous, entry);
    if (hash !== entry.hash) problems.push(`entry ${entry.seq}: hash does not recompute`);
    previous = hash;
  }
  for (const head of published) {
    const entry = head.entries === 0 ? null : entries[head.entries - 1];
    const hash = entry ? entry.hash : GENESIS;
    if (head.entries > entries.length || hash !== head.hash) {
      problems.push(`published head at entry ${head.entries} does not match`);
    }
  }
  return { valid: problems.length === 0, entries: entries.length, head: previous, problems };
}
