/**
 * The words for a hardware verdict, shared by the Hardware page, the HTML report and `pilot hardware`,
 * so the badge always says what the findings below it say. A verdict whose training speed was not
 * measured (no time estimate) is never "ready": it is "not known yet", with the one thing to do.
 */
export interface VerdictLike {
  level: 'green' | 'amber' | 'red';
  estimatedMinutes: number | null;
}

export const NOT_MEASURED_ACTION = 'run the quick benchmark (≈ 20 s)';

/** The label after the level: "ready", "possible, with limits", "not ready" or "not known yet: run the quick benchmark (≈ 20 s)". */
export function verdictWords(verdict: VerdictLike): string {
  if (verdict.level === 'red') return 'not ready';
  if (verdict.estimatedMinutes === null) return `not known yet: ${NOT_MEASURED_ACTION}`;
  return verdict.level === 'green' ? 'ready' : 'possible, with limits';
}
