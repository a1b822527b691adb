/**
 * An e-mail message (RFC 5322 / MIME) as the text a classifier reads: its subject and its body,
 * headers dropped. Quoted-printable and base64 parts are decoded, charsets go through iconv-lite,
 * encoded words in the subject (=?utf-8?B?…?=) are decoded, an HTML-only body is reduced to its
 * text, and attachments are skipped. This covers the messages people export from their mailbox;
 * exotic structures (nested message/rfc822 forwards, uuencoded parts) fall back to the raw body.
 */
import iconv from 'iconv-lite';

/** What a message reads as. */
export interface ParsedEmail {
  subject: string;
  body: string;
  /** `subject`, a blank line, `body`: what the pilot trains on. */
  text: string;
}

interface Part {
  headers: Map<string, string>;
  body: Buffer;
}

/** Parses raw message bytes (or a string already decoded as Latin-1-safe text). */
export function parseEmail(raw: Buffer | string): ParsedEmail {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const part = splitPart(bytes);
  const subject = decodeWords(part.headers.get('subject') ?? '').trim();
  const body = textOf(part, 0).replace(/\r\n?/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return { subject, body, text: subject ? `${subject}\n\n${body}` : body };
}

/** Headers (unfolded, names lower-cased; the first of a repeated header wins) and the raw body. */
function splitPart(bytes: Buffer): Part {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 256 * 1024));
  const m = /\r?\n\r?\n/.exec(head);
  const headerText = m ? head.slice(0, m.index) : head;
  const bodyStart = m ? Buffer.byteLength(head.slice(0, m.index + m[0].length), 'latin1') : bytes.length;
  const headers = new Map<string, string>();
  // An mbox "From " line before the headers is not a header.
  for (const line of headerText.replace(/^From [^\n]*\n/, '').replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body: bytes.subarray(bodyStart) };
}

/** A header parameter such as `boundary` or `charset`. */
function parameter(header: string, name: string): string | null {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function textOf(part: Part, depth: number): string {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = parameter(part.headers.get('content-type') ?? '', 'boundary');
    if (boundary) {
      const parts = splitMultipart(part.body, boundary).map(splitPart);
      const readable = parts.filter((p) => !/attachment/i.test(p.headers.get('content-disposition') ?? ''));
      // multipart/alternative: the plain-text version when there is one, else the first readable.
      if (type.startsWith('multipart/alternative')) {
        const plain = readable.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'));
        const chosen = plain ?? readable[0];
        return chosen ? textOf(chosen, depth + 1) : '';
      }
      return readable
        .map((p) => textOf(p, depth + 1))
        .filter((t) => t.length > 0)
        .join('\n\n');
    }
  }
  if (depth > 0 && !type.startsWith('text/') && !type.startsWith('multipart/') && !type.startsWith('message/')) return '';
  const decoded = decodeTransfer(part.body, part.headers.get('content-transfer-encoding') ?? '');
  const text = decodeCharset(decoded, parameter(part.headers.get('content-type') ?? '', 'charset'));
  return type.startsWith('text/html') ? htmlToText(text) : text;
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const marker = `--${boundary}`;
  const pieces = text.split(marker);
  const out: Buffer[] = [];
  // pieces[0] is the preamble; a piece starting with "--" is the epilogue after the closing marker.
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.startsWith('--')) break;
    out.push(Buffer.from(piece.replace(/^[ \t]*\r?\n/, ''), 'latin1'));
  }
  return out;
}

function decodeTransfer(body: Buffer, encoding: string): Buffer {
  const e = encoding.trim().toLowerCase();
  if (e === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (e === 'quoted-printable') return decodeQuotedPrintable(body.toString('latin1'));
  return body;
}

/** RFC 2045 quoted-printable: soft line breaks (`=` at a line end) removed, `=XX` bytes restored. */
export function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined.charCodeAt(i);
    if (c === 61 && i + 2 < joined.length + 0 && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes);
}

/** Bytes in the part's charset; undeclared parts are UTF-8 when valid, else Windows-1252 (what old mailers meant). */
function decodeCharset(bytes: Buffer, charset: string | null): string {
  const name = (charset ?? '').trim().toLowerCase();
  if (name && name !== 'us-ascii' && name !== 'utf-8' && name !== 'utf8') {
    if (iconv.encodingExists(name)) return iconv.decode(bytes, name);
    // ISO-2022-JP and a few others are missing from iconv-lite but known to Node's ICU.
    try {
      return new TextDecoder(name).decode(bytes);
    } catch {
      // an unknown charset: read as below
    }
  }
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\uFFFD') ? iconv.decode(bytes, 'windows-1252') : utf8;
}

/** RFC 2047 encoded words in a header: `=?charset?B?…?=` and `=?charset?Q?…?=`. */
export function decodeWords(header: string): string {
  return header
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, kind: string, data: string) => {
      const bytes = kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' '));
      const name = charset.toLowerCase().split('*')[0]!;
      return iconv.encodingExists(name) ? iconv.decode(bytes, name) : bytes.toString('latin1');
    });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®' };

/** The text of an HTML body: scripts and styles dropped, block elements as line breaks, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|p|div|tr|li|h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n');
}
