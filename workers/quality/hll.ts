/**
 * HyperLogLog distinct counter (Flajolet et al. 2007) with the usual small-range correction
 * (linear counting). 2^14 registers: standard error 1.04 / sqrt(16384) ≈ 0.81 %.
 */
import { hashString } from './hash.js';

export const HLL_PRECISION = 14;
const M = 1 << HLL_PRECISION;
const ALPHA = 0.7213 / (1 + 1.079 / M);

/** The relative standard error of the estimate. */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(M);

export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(M);
  }

  add(value: string): void {
    this.addHash(hashString(value));
  }

  addHash(hash: number): void {
    const index = hash >>> (32 - HLL_PRECISION);
    const rest = (hash << HLL_PRECISION) >>> 0;
    // Rank: position of the first 1 bit in the remaining 18 bits (1-based), 19 when all are zero.
    const rank = rest === 0 ? 32 - HLL_PRECISION + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  merge(other: HyperLogLog): void {
    const r = this.registers;
    const o = other.registers;
    for (let i = 0; i < M; i++) if (o[i]! > r[i]!) r[i] = o[i]!;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    const two32 = 4294967296;
    if (raw > two32 / 30) return Math.round(-two32 * Math.log(1 - raw / two32));
    return Math.round(raw);
  }
}
