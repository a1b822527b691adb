/** The fields every pilot kind's training result shares (workers/pilot-result.ts). */
export type { PilotKind, PilotResultCore } from '../pilot-result.js';
