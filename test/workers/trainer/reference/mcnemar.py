# Reference p-values for McNemar's exact test, computed once with /usr/bin/python3
# (scipy, statsmodels); the values are copied into significance.test.ts.
import scipy, scipy.stats as st
try:
    import statsmodels
    from statsmodels.stats.contingency_tables import mcnemar
except ImportError:
    mcnemar = None
pairs = [(0, 0), (5, 0), (10, 3), (3, 10), (25, 25), (40, 60), (120, 95), (230, 180), (7, 1), (1000, 1100)]
print('scipy', scipy.__version__, 'statsmodels', statsmodels.__version__ if mcnemar else None)
for b, c in pairs:
    n = b + c
    p = 1.0 if n == 0 else st.binomtest(min(b, c), n, 0.5).pvalue
    q = mcnemar([[0, b], [c, 0]], exact=True).pvalue if mcnemar and n > 0 else None
    print(b, c, repr(p), repr(q))

# Paired bootstrap reference (numpy, 20,000 resamples) for the regression rows built the same way
# in significance.test.ts: actual_i = i % 17, a_i = actual + ((7i) % 5 − 2)·0.5, b_i = actual + ((11i) % 7 − 3)·0.6.
import numpy as np
n = 300
i = np.arange(n)
actual = (i % 17).astype(float)
a = actual + ((7 * i) % 5 - 2) * 0.5
b = actual + ((11 * i) % 7 - 3) * 0.6
rng = np.random.default_rng(0)
idx = rng.integers(0, n, size=(20000, n))
mae = lambda p, s: np.abs(p[s] - actual[s]).mean(axis=1)
d = mae(a, idx) - mae(b, idx)
print('mae a', np.abs(a - actual).mean(), 'mae b', np.abs(b - actual).mean())
print('mae diff 2.5/97.5 %', np.percentile(d, 2.5), np.percentile(d, 97.5))
