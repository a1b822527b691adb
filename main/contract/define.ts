/**
 * How a channel between renderer and main is declared: a zod schema for the input (validated at
 * the boundary) and a phantom type for the output. The renderer imports these types only.
 */
import type { z } from 'zod';

export interface Channel<I extends z.ZodType, O> {
  input: I;
  /** What the channel does, shown in `pilot --help` style listings and in docs. */
  doc: string;
  /** Type-level only: the handler's return type. */
  readonly output?: O;
}

/** `channel<Output>()(inputSchema, doc)`: two steps so the output type can be given and the input inferred. */
export function channel<O>() {
  return <I extends z.ZodType>(input: I, doc: string): Channel<I, O> => ({ input, doc });
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * Joins the capabilities' maps (channels, handlers) into one, refusing a key two of them declare:
 * a spread would let the later one silently win. Throws at start-up, naming the key.
 */
export function joinDistinct<M extends Record<string, unknown>[]>(what: string, ...maps: M): UnionToIntersection<M[number]> {
  const joined: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [key, value] of Object.entries(map)) {
      if (Object.hasOwn(joined, key)) throw new Error(`Two capabilities declare the ${what} "${key}": rename one of them.`);
      joined[key] = value;
    }
  }
  return joined as UnionToIntersection<M[number]>;
}
