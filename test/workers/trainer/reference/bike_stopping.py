"""Independent figures for test/workers/trainer/search.test.ts: scikit-learn on the trainer's own
split of bike_day (cnt; instant, casual, registered left out as the trainer does).

The encoded matrices come from the trainer's `prepare` (same rows, same standardisation), dumped
as JSON ({d, train, validation, test: {n, x, y}}); run: /usr/bin/python3 bike_stopping.py bike5.json
"""
import json, sys, warnings
import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPRegressor
from sklearn.metrics import r2_score

warnings.filterwarnings('ignore')
D = json.load(open(sys.argv[1]))
d = D['d']
def m(s): return np.array(s['x']).reshape(s['n'], d), np.array(s['y'])
Xtr, ytr = m(D['train']); Xva, yva = m(D['validation']); Xte, yte = m(D['test'])
lr = LinearRegression().fit(Xtr, ytr)
print('LinearRegression val %.4f test %.4f' % (r2_score(yva, lr.predict(Xva)), r2_score(yte, lr.predict(Xte))))
for seed in [0, 1, 2]:
    mlp = MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=2000, random_state=seed).fit(Xtr, ytr)
    print('MLPRegressor(32,16) random_state=%d val %.4f test %.4f' % (seed, r2_score(yva, mlp.predict(Xva)), r2_score(yte, mlp.predict(Xte))))
