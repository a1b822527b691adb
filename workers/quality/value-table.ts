/**
 * The distinct values of a column, each numbered by a slot (0, 1, 2 … in order of arrival), found
 * by their `hashString` from a string or from the ASCII bytes the byte parser read: a value seen
 * before is found without ever becoming a string. An open-addressing table kept at most half full
 * so probes stay short and always reach an empty entry; callers keep what they count per value in
 * arrays indexed by slot.
 *
 * Laid out for the cache, because a lookup runs for most cells of the file: each entry is the pair
 * (hash, slot + 1) side by side in one Int32Array (0: empty), and the ASCII keys' bytes sit in one
 * byte arena, so a hit reads one table entry and one run of arena bytes — not a JS array of
 * numbers and a string scattered on the heap. A key with a character above 0x7f has no bytes in
 * the arena (length -1): no ASCII span can spell it.
 */
export class ValueTable {
  /** The values, by slot. */
  readonly keys: string[] = [];
  /** Their `hashString` (unsigned), by slot. */
  hashes = new Float64Array(64);
  private table = new Int32Array(128);
  private arena = new Uint8Array(1024);
  private arenaUsed = 0;
  private keyFrom = new Int32Array(64);
  private keyLength = new Int32Array(64);

  get size(): number {
    return this.keys.length;
  }

  /** The slot of `v` (whose `hashString` is `hash`: its 32 bits, signed or not, here and below), or -1. */
  find(v: string, hash: number): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const h = hash | 0;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = table[2 * i + 1]! - 1;
      if (slot < 0) return -1;
      if (table[2 * i] === h && this.keys[slot] === v) return slot;
    }
  }

  /** The slot of the ASCII value spelled by bytes `[from, to)` (whose `hashString` is `hash`), or -1. */
  findBytes(bytes: Uint8Array, from: number, to: number, hash: number): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const n = to - from;
    const h = hash | 0;
    probe: for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = table[2 * i + 1]! - 1;
      if (slot < 0) return -1;
      if (table[2 * i] !== h || this.keyLength[slot] !== n) continue;
      const arena = this.arena;
      const at = this.keyFrom[slot]! - from;
      for (let k = from; k < to; k++) if (arena[at + k] !== bytes[k]) continue probe;
      return slot;
    }
  }

  /** Adds a value not in the table yet; returns its slot. */
  add(key: string, hash: number): number {
    const slot = this.keys.length;
    this.keys.push(key);
    if (slot === this.hashes.length) {
      this.hashes = grow(this.hashes, new Float64Array(2 * slot));
      this.keyFrom = grow(this.keyFrom, new Int32Array(2 * slot));
      this.keyLength = grow(this.keyLength, new Int32Array(2 * slot));
    }
    this.hashes[slot] = hash >>> 0;
    this.store(slot, key);
    if (4 * this.keys.length > this.table.length) {
      this.table = new Int32Array(this.table.length * 2);
      for (let k = 0; k <= slot; k++) this.insert(k);
    } else this.insert(slot);
    return slot;
  }

  /** Copies an ASCII key's characters into the arena (others get length -1). */
  private store(slot: number, key: string): void {
    const n = key.length;
    for (let k = 0; k < n; k++) {
      if (key.charCodeAt(k) > 0x7f) {
        this.keyLength[slot] = -1;
        return;
      }
    }
    if (this.arenaUsed + n > this.arena.length) this.arena = grow(this.arena, new Uint8Array(Math.max(2 * this.arena.length, this.arenaUsed + n)));
    const at = this.arenaUsed;
    for (let k = 0; k < n; k++) this.arena[at + k] = key.charCodeAt(k);
    this.keyFrom[slot] = at;
    this.keyLength[slot] = n;
    this.arenaUsed += n;
  }

  private insert(slot: number): void {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const hash = this.hashes[slot]!;
    let i = hash & mask;
    while (table[2 * i + 1] !== 0) i = (i + 1) & mask;
    table[2 * i] = hash | 0;
    table[2 * i + 1] = slot + 1;
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
