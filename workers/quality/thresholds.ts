/**
 * Every threshold the quality engine judges by, in one place. `docs/quality-thresholds.md`
 * explains each one and where it comes from; keep the two in step.
 */
export const THRESHOLDS = {
  /** Share of missing cells in a column above which MISSING is raised (ydata-profiling: 1 %). */
  missingWarn: 0.01,
  /** ... and above which it is an error. */
  missingError: 0.3,
  /** Distinct values above which a text column is high-cardinality (ydata-profiling: 50). */
  highCardinality: 50,
  /** |skewness| above which SKEWED is raised (ydata-profiling: 20). */
  skewness: 20,
  /** Distinct / count at or above which a column is unique (an identifier if also not numeric-measure-like). */
  uniqueRatio: 1,
  /** Distinct / count above which a text or integer column is treated as an identifier. */
  identifierRatio: 0.95,
  /** Share of values with a second kind (numbers in a text column…) above which MIXED_TYPES is raised. */
  mixedTypes: 0.005,
  /** Share of a column's values that must parse as one kind for the column to take that type. */
  typeMajority: 0.95,
  /** Share of values with leading/trailing whitespace above which WHITESPACE is raised. */
  whitespace: 0.0,
  /** |Pearson|, |Spearman| or Cramér's V above which a pair is HIGH_CORRELATION (ydata-profiling: 0.9). */
  correlation: 0.9,
  /** Minority/majority class ratio below which the target is IMBALANCED. */
  imbalanceRatio: 0.2,
  /** Extra copies of rows, as a share of rows, above which DUPLICATES is an error (any copy is a warning). */
  duplicatesError: 0.05,
  /** Accuracy of one feature predicting the target (on the sample) at or above which TARGET_LEAKAGE is raised. */
  leakageAccuracy: 0.98,
  /** ... provided the majority-class baseline is below this (otherwise any feature looks predictive). */
  leakageBaseline: 0.95,
  /** Share of IQR outliers (Tukey's 1.5 × IQR fences) above which OUTLIERS is raised. */
  outliers: 0.05,
  /** Suspicious zeros: zeros between these shares of the values ... */
  zerosMinShare: 0.001,
  zerosMaxShare: 0.6,
  /** ... and the smallest positive value above this multiple of the IQR (a gap before the bulk) ... */
  zerosGapIqr: 0.5,
  /** ... or the zero count above this multiple of the most frequent positive value's count (a spike). */
  zerosSpike: 3,
  /** Share of text values that look like personal data above which PII is raised (any is reported). */
  pii: 0,
  /** Groups with fewer rows than this are reported but not judged (no ratios, no flags). */
  minGroupSize: 30,
  /** The four-fifths rule: a group's rate below this ratio of the most favoured group's is flagged. */
  fourFifths: 0.8,
  /** The upper end of the pass band for ratios (Fairlearn/AIF360 practice: 0.8–1.25). */
  ratioUpper: 1.25,
  /** Absolute difference in rates above which a difference metric (parity, odds) is flagged. */
  differenceLimit: 0.1,
  /** Rows kept in the seeded uniform sample used for correlations and leakage. */
  sampleRows: 20000,
  /** Distinct values tracked exactly per column before switching to HyperLogLog (scaled down for wide files). */
  exactDistinct: 10000,
  /** Total exact-distinct entries across all columns (keeps wide files within memory). */
  exactDistinctBudget: 500_000,
  /** Bootstrap resamples for a group's positive-rate interval. */
  bootstrap: 1000,
  /** The highest score shown while an error-level alert stands (below the amber band, 70–89). */
  scoreCapError: 69,
  /** The highest score shown while a fairness alert stands (below the green band, 90+). */
  scoreCapFairness: 89,
  /** Numeric target: R² of one feature (a straight line) at or above which it leaks the answer. */
  leakageR2: 0.98,
  /** Numeric target: R² of a sum or difference of two features at or above which they leak it. */
  leakagePairR2: 0.999,
  /** Columns considered for correlations and leakage (the first ones in file order). */
  analysisColumns: 60,
} as const;

/** Weights of the score's parts (they sum to 1). */
export const SCORE_WEIGHTS = {
  completeness: 0.3,
  uniqueness: 0.15,
  validity: 0.25,
  consistency: 0.15,
  balance: 0.15,
} as const;
