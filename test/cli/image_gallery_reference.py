"""Independent checks of an image pilot's evaluation (test/cli/image-results.test.ts).

Reads the training result (JSON), the predictions `pilot predict` wrote for the test folder (CSV)
and the test folder itself; prints JSON with
- calibration: sklearn's calibration_curve (10 uniform bins) of the top class's probability against
  being right, with the count per bin and the expected calibration error (ECE);
- top3: sklearn's top_k_accuracy_score;
- images: for every picture shown in the galleries, whether its PNG (decoded with Pillow) is the
  test file's pixels at 2x (nearest neighbour), and whether its saliency map decodes at that size.

Usage: image_gallery_reference.py RESULT.json PREDICTIONS.csv SOURCE_ROOT
"""
import base64
import csv
import io
import json
import sys

import numpy as np
from PIL import Image
from sklearn.calibration import calibration_curve
from sklearn.metrics import top_k_accuracy_score

result = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
root = sys.argv[3]
classes = result["classes"]
k = len(classes)

actual = np.array([classes.index(r["path"].split("/")[0]) for r in rows])
probs = np.array([[float(r[f"probability_{c}"]) for c in classes] for r in rows])
# The written prediction (the argmax of the unrounded probabilities) and its probability.
predicted = np.array([classes.index(r["prediction"]) for r in rows])
confidence = np.array([float(r["probability"]) for r in rows])
right = (predicted == actual).astype(int)

prob_true, prob_pred = calibration_curve(right, confidence, n_bins=10, strategy="uniform")
edges = np.linspace(0.0, 1.0 + 1e-8, 11)
bin_of = np.searchsorted(edges[1:-1], confidence)
counts = np.bincount(bin_of, minlength=10)
nonempty = np.nonzero(counts)[0]
ece = float(np.sum(counts[nonempty] / len(rows) * np.abs(prob_true - prob_pred)))


def decode(url):
    assert url.startswith("data:image/png;base64,"), url[:30]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


images = []
shown = [e for m in result["evaluation"]["mistakes"] for e in m["examples"]] + result["evaluation"]["mostConfidentlyWrong"]
for e in shown:
    picture = decode(e["image"])
    # A grey model's picture may come back as three equal channels.
    if picture.ndim == 3:
        grey = bool(all(np.array_equal(picture[..., 0], picture[..., c]) for c in range(1, picture.shape[2])))
        picture = picture[..., 0] if grey else picture
    saliency = decode(e["saliency"])
    original = np.asarray(Image.open(f"{root}/{e['path']}").convert("L"))
    same = picture.shape == (2 * original.shape[0], 2 * original.shape[1]) and np.array_equal(picture, np.kron(original, np.ones((2, 2), dtype=original.dtype)))
    images.append({"path": e["path"], "same": bool(same), "shape": list(picture.shape), "saliencyShape": list(saliency.shape), "saliencyMax": int(saliency.max())})

print(json.dumps({
    "calibration": [
        {"from": float(b / 10), "count": int(counts[b]), "meanPredicted": float(p), "observedRate": float(t)}
        for b, p, t in zip(nonempty, prob_pred, prob_true)
    ],
    "ece": ece,
    "top3": float(top_k_accuracy_score(actual, probs, k=3, labels=list(range(k)))) if k > 3 else None,
    "images": images,
}))
