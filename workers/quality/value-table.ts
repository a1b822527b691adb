/**
 * The distinct values of a column, each numbered by a slot (0, 1, 2 … in order of arrival), found
 * by their `hashString` from a string or from the ASCII bytes the byte parser read: a value seen
 * before is found without ever becoming a string. An open-addressing table of slot + 1
 * (0: empty), kept at most half full so probes stay short and always reach an empty entry.
 * Callers keep what they count per value in arrays indexed by slot.
 */
export class ValueTable {
  /** The values, by slot. */
  readonly keys: string[] = [];
  /** Their `hashString`, by slot. */
  readonly hashes: number[] = [];
  private table = new Int32Array(64);

  get size(): number {
    return this.keys.length;
  }

  /** The slot of `v` (whose `hashString` is `hash`), or -1. */
  find(v: string, hash: number): number {
    const table = this.table;
    const mask = table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = table[i]! - 1;
      if (slot < 0) return -1;
      if (this.hashes[slot] === hash && this.keys[slot] === v) return slot;
    }
  }

  /** The slot of the ASCII value spelled by bytes `[from, to)` (whose `hashString` is `hash`), or -1. */
  findBytes(bytes: Uint8Array, from: number, to: number, hash: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const n = to - from;
    probe: for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = table[i]! - 1;
      if (slot < 0) return -1;
      if (this.hashes[slot] !== hash) continue;
      const key = this.keys[slot]!;
      if (key.length !== n) continue;
      for (let k = 0; k < n; k++) if (key.charCodeAt(k) !== bytes[from + k]) continue probe;
      return slot;
    }
  }

  /** Adds a value not in the table yet; returns its slot. */
  add(key: string, hash: number): number {
    const slot = this.keys.length;
    this.keys.push(key);
    this.hashes.push(hash);
    if (2 * this.keys.length > this.table.length) {
      this.table = new Int32Array(this.table.length * 2);
      for (let k = 0; k <= slot; k++) this.insert(k);
    } else this.insert(slot);
    return slot;
  }

  private insert(slot: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashes[slot]! & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = slot + 1;
  }
}
