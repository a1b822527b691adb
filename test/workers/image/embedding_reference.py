"""Independent figures for test/workers/image/embedding-drift.test.ts (run by the test with
/usr/bin/python3, numpy + scipy + scikit-learn). Input (JSON file, argv[1]): the version's stored
embedding summary (`mean`, `components`, `points`), the raw embeddings of the new pictures
(`current`, pictures x dims) and a matrix to fit PCA on (`fit`, rows x dims, with `k`).
Output (JSON on stdout):
- pca: scikit-learn's PCA(k) on `fit`: explained variance ratios and components;
- mmd: the new pictures projected on the stored components ((x - mean) @ components.T), then the
  unbiased MMD^2 (Gretton et al. 2012, eq. 3) with a Gaussian kernel whose sigma is the median of
  scipy's pdist over the pooled points, and a permutation p-value from 5,000 numpy relabellings."""
import json, sys
import numpy as np
from scipy.spatial.distance import pdist, squareform
from sklearn.decomposition import PCA

data = json.load(open(sys.argv[1]))
out = {}
fit = np.array(data['fit'], dtype=np.float64)
pca = PCA(n_components=data['k'], svd_solver='full').fit(fit)
out['pca'] = {'explainedRatio': pca.explained_variance_ratio_.tolist(), 'components': pca.components_.tolist(), 'mean': pca.mean_.tolist()}

ref = np.array(data['reference']['points'], dtype=np.float64)
mean = np.array(data['reference']['mean'], dtype=np.float64)
comp = np.array(data['reference']['components'], dtype=np.float64)
cur = (np.array(data['current'], dtype=np.float64) - mean) @ comp.T
pooled = np.vstack([ref, cur])
d = pdist(pooled)
sigma = float(np.median(d))
K = np.exp(-squareform(d) ** 2 / (2 * sigma ** 2))
n, m = len(ref), len(cur)

def mmd2(idx_x, idx_y):
    kxx = K[np.ix_(idx_x, idx_x)]
    kyy = K[np.ix_(idx_y, idx_y)]
    kxy = K[np.ix_(idx_x, idx_y)]
    return (kxx.sum() - n) / (n * (n - 1)) + (kyy.sum() - m) / (m * (m - 1)) - 2 * kxy.mean()

order = np.arange(n + m)
stat = mmd2(order[:n], order[n:])
rng = np.random.default_rng(0)
perms = 5000
count = 0
for _ in range(perms):
    p = rng.permutation(n + m)
    if mmd2(p[:n], p[n:]) >= stat:
        count += 1
out['mmd'] = {'statistic': float(stat), 'bandwidth': sigma, 'pValue': (1 + count) / (1 + perms), 'projected': cur[:5].tolist()}
print(json.dumps(out))
