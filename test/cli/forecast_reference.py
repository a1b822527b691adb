"""Independent reference values for test/cli/forecast.test.ts (pandas + numpy, run once).

Run: /usr/bin/python3 test/cli/forecast_reference.py
test/fixtures/forecast/bike_hour_2012.csv (bike_hour from March to December 2012): `cnt` on an
hourly grid (dteday + hr), the missing hours filled by linear interpolation; the last tenth of
the hours is the test stretch, the tenth before it
validation. Seasonal naive = the same hour one week (168 h) before; naive = the last known value
at the forecast origin. Test windows: origins whose 6 targets all lie in the test stretch. MASE
scale: the seasonal naive's mean absolute error on the training stretch (before validation).
"""
import numpy as np
import pandas as pd

df = pd.read_csv('test/fixtures/forecast/bike_hour_2012.csv')
t = pd.to_datetime(df['dteday']) + pd.to_timedelta(df['hr'], unit='h')
s = pd.Series(df['cnt'].astype(float).values, index=t).sort_index()
grid = pd.date_range(s.index[0], s.index[-1], freq='h')
y = s.reindex(grid).interpolate(method='linear').values
n, m, H = len(y), 168, 6
test_len = round(0.1 * n)
test_start = n - test_len
val_start = test_start - test_len
print('steps', n, 'missing', int(s.reindex(grid).isna().sum()))
print('validation from', grid[val_start], 'test from', grid[test_start])
scale = np.mean(np.abs(y[m:val_start] - y[:val_start - m]))
origins = np.arange(test_start - 1, n - H)  # origin o forecasts o+1 … o+H
targets = origins[:, None] + np.arange(1, H + 1)[None, :]
actual = y[targets]
seasonal = y[targets - m]
naive = np.repeat(y[origins][:, None], H, axis=1)
for name, f in [('seasonalNaive', seasonal), ('naive', naive)]:
    mae = np.abs(actual - f).mean()
    print(name, 'windows', len(origins), 'mae', round(mae, 4), 'mase', round(mae / scale, 4))
print('scale', round(scale, 4))
