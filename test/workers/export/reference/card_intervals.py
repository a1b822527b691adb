"""Independent reference values for test/workers/export/card.test.ts (run: /usr/bin/python3 card_intervals.py).

Wilson score interval (scipy's normal quantile) and percentile-bootstrap intervals of the binary
F1 / balanced accuracy from a confusion matrix, resampling its rows (multinomial over the cells),
with numpy and 20,000 resamples.
"""
import numpy as np
from scipy.stats import norm

z = norm.ppf(0.975)
def wilson(k, n):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h

print("wilson 85/100", wilson(85, 100))
print("wilson 3/10", wilson(3, 10))

m = np.array([[50, 10], [5, 35]])  # [actual][predicted], positive class 1
cells = m.flatten()
n = cells.sum()
rng = np.random.default_rng(0)
draws = rng.multinomial(n, cells / n, size=20000).reshape(-1, 2, 2)
tp = draws[:, 1, 1]; fp = draws[:, 0, 1]; fn = draws[:, 1, 0]; tn = draws[:, 0, 0]
f1 = 2 * tp / (2 * tp + fp + fn)
bal = (tp / (tp + fn) + tn / (tn + fp)) / 2
print("f1 point", 2 * 35 / (70 + 10 + 5), "interval", np.percentile(f1, [2.5, 97.5]))
print("balanced point", (35 / 40 + 50 / 60) / 2, "interval", np.percentile(bal, [2.5, 97.5]))
