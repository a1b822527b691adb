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
