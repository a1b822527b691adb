# Reference R² (straight-line fit) of bike_day's columns and column pairs against cnt, computed once
# with /usr/bin/python3 (pandas, scikit-learn); the values are used in leakage.test.ts.
import itertools, pandas as pd
from sklearn.linear_model import LinearRegression
d = pd.read_csv('test/fixtures/bike_day.csv')
num = [c for c in d.columns if c not in ('cnt', 'dteday', 'instant')]
r2 = lambda x: LinearRegression().fit(x.to_frame(), d.cnt).score(x.to_frame(), d.cnt)
for c in ['casual', 'registered', 'temp', 'atemp']:
    print('single', c, round(r2(d[c]), 6))
best = max(((a, b, s, r2(d[a] + s * d[b])) for a, b in itertools.combinations(num, 2) for s in (1, -1) if {a, b} != {'casual', 'registered'}), key=lambda t: t[3])
print('pair casual+registered', round(r2(d.casual + d.registered), 6))
print('best other pair', best[0], best[1], best[2], round(best[3], 6))
