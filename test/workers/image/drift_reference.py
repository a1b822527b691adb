"""Reference figures for test/workers/image/drift.test.ts, computed from the IDX files of Debian's
dataset-fashion-mnist (the fixture's PNGs are those images, named by their index), independently of
the workbench's decoding: per picture the mean and population std of its 784 grey values (rounded to
3 decimals, as stored), then scipy's two-sample KS test and PSI over 10 reference-quantile bins
(numpy linear quantiles, empty bins floored at 0.0001) between the 900 fixture pictures (train/ and
test/, the version's training-side summary) and the 300 test/ pictures darkened (v -> floor(v / 2))
or inverted (v -> 255 - v). Run: /usr/bin/python3 test/workers/image/drift_reference.py"""
import gzip, os, re
import numpy as np
from scipy.stats import ks_2samp

SRC = '/usr/share/datasets/fashion-mnist'
FIX = os.path.join(os.path.dirname(__file__), '../../fixtures/fashion-mnist-small')

def idx(name):
    b = gzip.open(os.path.join(SRC, name)).read()
    return np.frombuffer(b, dtype=np.uint8, offset=16).reshape(-1, 784)

train, test = idx('train-images-idx3-ubyte.gz'), idx('t10k-images-idx3-ubyte.gz')

def pictures(part):
    out = []
    for cls in sorted(os.listdir(os.path.join(FIX, part))):
        for f in sorted(os.listdir(os.path.join(FIX, part, cls))):
            i = int(re.search(r'(\d+)', f).group(1))
            out.append((train if part == 'train' else test)[i].astype(np.float64))
    return out

ref = pictures('train') + pictures('test')
cur = pictures('test')

def stats(pics):
    return np.round([p.mean() for p in pics], 3), np.round([p.std() for p in pics], 3)

def psi(r, c):
    edges = []
    for k in range(1, 10):
        q = np.quantile(r, k / 10)
        if not edges or q > edges[-1]:
            edges.append(q)
    def shares(v):
        counts = np.zeros(len(edges) + 1)
        for x in v:
            counts[np.searchsorted(edges, x, side='left')] += 1
        return counts / len(v)
    rs, cs = np.maximum(shares(r), 1e-4), np.maximum(shares(c), 1e-4)
    return float(np.sum((cs - rs) * np.log(cs / rs)))

rb, rc = stats(ref)
for name, f in [('darkened', lambda p: np.floor(p / 2)), ('inverted', lambda p: 255 - p), ('same', lambda p: p)]:
    cb, cc = stats([f(p) for p in cur])
    for col, r, c in [('brightness', rb, cb), ('contrast', rc, cc)]:
        ks = ks_2samp(r, c)
        print(name, col, 'D=%.10f p=%.6e psi=%.6f' % (ks.statistic, ks.pvalue, psi(r, c)))
