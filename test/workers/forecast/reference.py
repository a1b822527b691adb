"""Independent reference values for test/workers/forecast/reference.test.ts (numpy).

Run once with Debian's numpy: /usr/bin/python3 test/workers/forecast/reference.py
The printed numbers are copied into the test. The data are defined by formulas that the test
re-creates in TypeScript.
"""
import json
import numpy as np

# 1. Multi-output least squares with an intercept, as workers/forecast/linear.ts fits it.
n, d, k = 60, 5, 3
i = np.arange(n)[:, None]
j = np.arange(d)[None, :]
x = np.sin(0.37 * i * (j + 1) + j)
h = np.arange(k)[None, :]
y = x @ np.array([[1.0, -2.0, 0.5], [0.3, 0.0, 1.0], [-1.0, 1.0, 2.0], [0.0, 0.5, -0.5], [2.0, 0.1, 0.0]]) + 0.5 * h + np.cos(0.9 * i + h) * 0.2
x1 = np.hstack([x, np.ones((n, 1))])
a = x1.T @ x1
lam = 1e-6 * np.trace(a) / (d + 1)
a[:d, :d] += lam * np.eye(d)
b = np.linalg.solve(a, x1.T @ y)
plain, *_ = np.linalg.lstsq(x1, y, rcond=None)
print('coefficients', json.dumps(np.round(b, 10).tolist()))
print('max |ridge - lstsq|', np.abs(b - plain).max())

# 2. Forecast metrics on 4 windows x 2 steps; the MASE scale from a training series with period 3.
actual = np.array([[10, 12], [0, 5], [8, 9], [20, 18]], dtype=float)
pred = np.array([[11, 10], [1, 5], [8, 12], [15, 20]], dtype=float)
train = np.array([3, 5, 9, 4, 6, 10, 5, 7, 12, 4], dtype=float)
m = 3
scale = np.mean(np.abs(train[m:] - train[:-m]))
e = np.abs(actual - pred)
den = np.abs(actual) + np.abs(pred)
smape = np.where(den == 0, 0, 2 * e / np.where(den == 0, 1, den))
print('scale', scale)
print('mae', e.mean(), 'rmse', np.sqrt((e ** 2).mean()), 'smape', smape.mean(), 'mase', (e / scale).mean())
print('by step mae', e.mean(axis=0).tolist(), 'rmse', np.sqrt((e ** 2).mean(axis=0)).tolist(), 'smape', smape.mean(axis=0).tolist())
nz = actual[[0, 2, 3]]
print('mape without the zero row', (np.abs(nz - pred[[0, 2, 3]]) / np.abs(nz)).mean())
# 3. Quantiles (numpy's default, linear interpolation).
r = np.array([-3.0, 1.5, 0.2, 7.0, -0.4, 2.2, 0.0])
print('quantiles', np.quantile(r, 0.05), np.quantile(r, 0.95), np.quantile(r, 0.5))

# 4. Diebold-Mariano on absolute scaled errors with a Newey-West variance (Bartlett weights, 3 lags).
act = np.array([[10, 12], [11, 13], [9, 8], [14, 15], [12, 12], [10, 9]], dtype=float)
fa = np.array([[9, 12], [12, 12], [9, 9], [13, 16], [12, 11], [11, 9]], dtype=float)
fb = np.array([[12, 10], [10, 15], [7, 9], [15, 12], [10, 13], [12, 8]], dtype=float)
sc = np.array([2, 2, 2, 1, 1, 1], dtype=float)[:, None]
la = (np.abs(act - fa) / sc).mean(axis=1)
lb = (np.abs(act - fb) / sc).mean(axis=1)
dd = la - lb
nn = len(dd)
mu = dd.mean()
g = lambda k: ((dd[k:] - mu) * (dd[:nn - k] - mu)).sum() / nn
var = g(0) + 2 * sum((1 - k / 4) * g(k) for k in range(1, 4))
print('dm z', mu / np.sqrt(var / nn), 'closer', 1 - la.sum() / lb.sum())
