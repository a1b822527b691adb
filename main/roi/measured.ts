/**
 * From what the trainer and the registry record to what the ROI needs: the model's error rate as
 * a fraction, or why there is none. Kept here so the handler that gathers the measurements stays
 * a lookup, and the rule "no usable measurement → no claimed benefit" lives with the ROI model.
 */

/** Test metrics as the trainer reports them (classification has `accuracy`, regression `r2`). */
export interface MetricsLike {
  accuracy?: number | null;
  r2?: number | null;
}

/** The model's error rate (fraction 0…1) for the errors-avoided benefit, or why it is unknown. */
export function modelErrorRateFromMetrics(metrics: MetricsLike | null | undefined): { rate: number | null; reason: string | null } {
  if (!metrics) return { rate: null, reason: 'The model has no test metrics or evaluation yet.' };
  const accuracy = metrics.accuracy;
  if (typeof accuracy === 'number' && Number.isFinite(accuracy) && accuracy >= 0 && accuracy <= 1) {
    return { rate: 1 - accuracy, reason: null };
  }
  if (typeof metrics.r2 === 'number') {
    return { rate: null, reason: 'A regression model predicts amounts, not right-or-wrong answers, so it has no error rate: count its value as hours saved or revenue uplift instead.' };
  }
  return { rate: null, reason: 'The model metrics hold no usable accuracy.' };
}
