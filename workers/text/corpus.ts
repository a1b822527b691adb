/**
 * A tokenised dataset in one compact form that every later step shares: each distinct token is
 * stored once (with its hash), and each document is a typed array of token ids. The TF-IDF
 * baseline, the network's hashed bags, the duplicate and near-duplicate checks and the length
 * statistics all read these ids instead of re-hashing and re-looking-up strings, and the
 * per-document string arrays are garbage as soon as a document is encoded.
 */
import { TokenTable } from './table.js';
import { bigramHash, hashToken, tokenIds, type Bag, type TokenizerSettings } from './tokenize.js';

/** Documents as ids into one table of distinct tokens. */
export interface Corpus {
  /** Token of each id. */
  terms: string[];
  /** FNV-1a hash of each id's token (`hashToken`). */
  hashes: Uint32Array;
  /** Per document, its tokens' ids in order. */
  docs: Int32Array[];
}

/** Tokenises and encodes `texts`. */
export function encodeTexts(texts: string[]): Corpus {
  const table = new TokenTable();
  const docs = texts.map((t) => tokenIds(t, table));
  return { terms: table.terms, hashes: table.hashes.slice(0, table.terms.length), docs };
}

/** Encodes already tokenised documents. */
export function encodeTokens(tokens: Iterable<string[]>): Corpus {
  const ids = new Map<string, number>();
  const terms: string[] = [];
  let hashes = new Uint32Array(1024);
  const docs: Int32Array[] = [];
  for (const doc of tokens) {
    const out = new Int32Array(doc.length);
    for (let i = 0; i < doc.length; i++) {
      const t = doc[i]!;
      let id = ids.get(t);
      if (id === undefined) {
        id = terms.length;
        ids.set(t, id);
        terms.push(t);
        if (id >= hashes.length) {
          const grown = new Uint32Array(hashes.length * 2);
          grown.set(hashes);
          hashes = grown;
        }
        hashes[id] = hashToken(t);
      }
      out[i] = id;
    }
    docs.push(out);
  }
  return { terms, hashes: hashes.slice(0, terms.length), docs };
}

/**
 * Hashes documents into bags (the same buckets and weights as `bagOf` on their tokens), with one
 * bucket-sized scratch array for all of them instead of a map per document.
 */
export function bagsOf(corpus: Corpus, rows: ArrayLike<number>, settings: TokenizerSettings): Bag[] {
  const mask = settings.buckets - 1;
  const counts = new Float64Array(settings.buckets);
  const seen = new Int32Array(4 * settings.maxTokens);
  const bags: Bag[] = new Array<Bag>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const doc = corpus.docs[rows[r]!]!;
    const n = Math.min(doc.length, settings.maxTokens);
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      const h = corpus.hashes[doc[i]!]!;
      const id = h & mask;
      if (counts[id] === 0) seen[distinct++] = id;
      counts[id]!++;
      if (settings.bigrams && i > 0) {
        const b = bigramHash(corpus.hashes[doc[i - 1]!]!, h) & mask;
        if (counts[b] === 0) seen[distinct++] = b;
        counts[b]!++;
      }
    }
    const total = settings.bigrams ? 2 * n - (n > 0 ? 1 : 0) : n;
    const ids = seen.slice(0, distinct).sort();
    const weights = new Float32Array(distinct);
    for (let k = 0; k < distinct; k++) {
      weights[k] = counts[ids[k]!]! / Math.max(total, 1);
      counts[ids[k]!] = 0;
    }
    bags[r] = { ids, weights };
  }
  return bags;
}
