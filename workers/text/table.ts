/**
 * Distinct tokens and their ids, interned straight from the text being scanned: a token's
 * FNV-1a hash (the one the features use) is computed over its characters in place, and the
 * token's string is cut out of the text only the first time it is seen. Tokenising a corpus
 * thus allocates one string per distinct token instead of one per occurrence.
 */

/** FNV-1a of s[from, to), 32-bit unsigned (UTF-16 code units). */
export function fnv1a(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** An open-addressing table of tokens: id ↔ token, with each token's hash. */
export class TokenTable {
  /** Token of each id. */
  readonly terms: string[] = [];
  /** FNV-1a hash of each id's token (grown as needed; the first `terms.length` are valid). */
  hashes = new Uint32Array(1024);
  private slots = new Int32Array(2048).fill(-1);

  /** The id of the token s[from, to), added when new. */
  id(s: string, from: number, to: number): number {
    return this.idOf(s, from, to, fnv1a(s, from, to));
  }

  /** `id` when the caller has already computed `h = fnv1a(s, from, to)`. */
  idOf(s: string, from: number, to: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let k = h & mask; ; k = (k + 1) & mask) {
      const id = this.slots[k]!;
      if (id < 0) return this.add(s.slice(from, to), h, k);
      if (this.hashes[id] === h && same(this.terms[id]!, s, from, to)) return id;
    }
  }

  /** The id of a whole string. */
  word(t: string): number {
    return this.id(t, 0, t.length);
  }

  private add(term: string, h: number, slot: number): number {
    const id = this.terms.length;
    this.terms.push(term);
    if (id >= this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    this.slots[slot] = id;
    if (2 * this.terms.length > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.terms.length; id++) {
      let k = this.hashes[id]! & mask;
      while (slots[k]! >= 0) k = (k + 1) & mask;
      slots[k] = id;
    }
    this.slots = slots;
  }
}

function same(term: string, s: string, from: number, to: number): boolean {
  if (term.length !== to - from) return false;
  for (let i = 0; i < term.length; i++) if (term.charCodeAt(i) !== s.charCodeAt(from + i)) return false;
  return true;
}
