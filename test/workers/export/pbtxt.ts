/**
 * A small parser of the protobuf text format (what Triton's config.pbtxt is written in), for the
 * package tests: fields `name: value`, messages `name { … }`, lists `name [ … ]`, `#` comments.
 * Repeated fields become arrays. Throws on anything malformed, with the position.
 */
export type PbValue = string | number | PbMessage | PbValue[];
export interface PbMessage {
  [field: string]: PbValue;
}

export function parsePbtxt(text: string): PbMessage {
  const tokens = [...text.replace(/#[^\n]*/g, '').matchAll(/"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+/g)].map((m) => m[0]);
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`config.pbtxt: ${what} at token ${i} (${tokens[i] ?? 'end'})`);
  };
  const scalar = (token: string): string | number => {
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) return token; // an enum value
    return fail(`bad value ${token}`);
  };
  const value = (): PbValue => {
    const token = tokens[i++] ?? fail('value expected');
    if (token === '{') return message('}');
    if (token === '[') {
      const list: PbValue[] = [];
      while (tokens[i] !== ']') {
        if (i >= tokens.length) fail('unclosed [');
        list.push(value());
        if (tokens[i] === ',') i++;
      }
      i++;
      return list;
    }
    return scalar(token);
  };
  const message = (end: string | null): PbMessage => {
    const out: PbMessage = {};
    while (i < tokens.length && tokens[i] !== end) {
      const field = tokens[i++]!;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) fail(`field name expected, got ${field}`);
      if (tokens[i] === ':') i++;
      else if (tokens[i] !== '{' && tokens[i] !== '[') fail(`":" expected after ${field}`);
      const v = value();
      const previous = out[field];
      out[field] = previous === undefined ? v : Array.isArray(previous) ? [...previous, v] : [previous, v];
    }
    if (end !== null) {
      if (tokens[i] !== end) fail(`"${end}" expected`);
      i++;
    }
    return out;
  };
  const result = message(null);
  if (i !== tokens.length) fail('trailing tokens');
  return result;
}
