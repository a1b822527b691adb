"""scikit-learn's reference for bench/train-text.mjs: TfidfVectorizer() + LogisticRegression() with their
defaults, fitted on the rows whose split is 'train', scored on 'test'. Prints one JSON line."""
import json, os, sys, time
import pandas as pd, sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
train, test = df[df.split == 'train'], df[df.split == 'test']
w0, c0 = time.perf_counter(), time.process_time()
vec = TfidfVectorizer()
x = vec.fit_transform(train.text)
model = LogisticRegression().fit(x, train.label)
fit_wall, fit_cpu = time.perf_counter() - w0, time.process_time() - c0
accuracy = float((model.predict(vec.transform(test.text)) == test.label).mean())
print(json.dumps({'version': sklearn.__version__, 'fitWallS': fit_wall, 'fitCpuS': fit_cpu, 'accuracy': accuracy, 'train': len(train), 'test': len(test)}))
