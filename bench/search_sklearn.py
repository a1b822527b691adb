"""scikit-learn on the trainer's own split, for bench/search.mjs: reads the encoded matrices the
trainer's `prepare` made (same rows, same preprocessing) and prints one JSON line of test figures
(accuracy, or R² for regression) for MLP (100,) (sklearn's default) and the linear model."""
import json, sys, warnings
import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor

warnings.filterwarnings('ignore')
D = json.load(open(sys.argv[1]))
d = D['d']
def m(s): return np.array(s['x'], dtype=np.float64).reshape(s['n'], d), np.array(s['y'])
Xtr, ytr = m(D['train']); Xte, yte = m(D['test'])
out = {}
if D['task'] == 'regression':
    out['linear'] = r2_score(yte, LinearRegression().fit(Xtr, ytr).predict(Xte))
    out['mlp'] = [r2_score(yte, MLPRegressor(max_iter=1000, random_state=s).fit(Xtr, ytr).predict(Xte)) for s in (0, 1, 2)]
else:
    ytr = ytr.astype(int); yte = yte.astype(int)
    out['linear'] = accuracy_score(yte, LogisticRegression(max_iter=5000).fit(Xtr, ytr).predict(Xte))
    out['mlp'] = [accuracy_score(yte, MLPClassifier(max_iter=1000, random_state=s).fit(Xtr, ytr).predict(Xte)) for s in (0, 1, 2)]
print(json.dumps(out))
