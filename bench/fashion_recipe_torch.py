#!/usr/bin/env python3
"""The image pilot's recipe on full Fashion-MNIST, in PyTorch on one CPU thread: how many epochs it
needs for 0.91 test accuracy, and what a pass costs, where the whole pilot cannot run in time.

Same as workers/image (model.ts, train.ts, engine.ts) for a 28 px greyscale set of >= 20,000
training pictures: conv 3x3 'same' 32 -> ReLU -> max-pool 2 -> conv 64 -> ReLU -> max-pool 2 ->
dense 128 ReLU -> dropout 0.3 -> dense 10; He-normal initial weights (Glorot-uniform logits),
zero biases; Adam lr 0.002, eps 1e-7; batch 64; no augmentation; 15 % of the training file held
out (stratified, seeded) for validation; pixels normalised by the training split's mean and std;
the official 10,000 test pictures as the test set. Prints one JSON line per epoch.

Run:   /usr/bin/python3 bench/fashion_recipe_torch.py [EPOCHS] [--cosine] [--batch N] [--bn]
--cosine: the learning rate follows a half cosine from 0.002 to 0 over all the steps of EPOCHS
(what the pilot does for sets of >= 20,000 training pictures, workers/image/train.ts); --bn: batch
normalisation after each convolution (tf.layers' defaults: eps 1e-3, moving averages at 0.99).
"""
import gzip, json, math, sys, time
import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(42)
SRC = '/usr/share/datasets/fashion-mnist/'

def idx(name):
    with gzip.open(SRC + name) as f:
        data = f.read()
    dims = data[3]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)

x = idx('train-images-idx3-ubyte.gz').reshape(-1, 28, 28).astype(np.float32) / 255
y = idx('train-labels-idx1-ubyte.gz').astype(np.int64)
xt = idx('t10k-images-idx3-ubyte.gz').reshape(-1, 28, 28).astype(np.float32) / 255
yt = idx('t10k-labels-idx1-ubyte.gz').astype(np.int64)
rng = np.random.default_rng(42)
val = np.concatenate([rng.permutation(np.where(y == c)[0])[: int(round(0.15 * (y == c).sum()))] for c in range(10)])
train = np.setdiff1d(np.arange(len(y)), val)
mean, std = x[train].mean(), x[train].std()
T = lambda a: torch.from_numpy(((a - mean) / std)[:, None, :, :].copy())
X, Y, XV, YV, XT, YT = T(x[train]), torch.from_numpy(y[train]), T(x[val]), torch.from_numpy(y[val]), T(xt), torch.from_numpy(yt)

BN = '--bn' in sys.argv
norm = (lambda c: [torch.nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)]) if BN else (lambda c: [])
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 3, padding=1, bias=not BN), *norm(32), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(32, 64, 3, padding=1, bias=not BN), *norm(64), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(128, 10))
for m in net:
    if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
        torch.nn.init.kaiming_normal_(m.weight, nonlinearity='relu') if m is not net[-1] else torch.nn.init.xavier_uniform_(m.weight)
        if m.bias is not None: torch.nn.init.zeros_(m.bias)
opt = torch.optim.Adam(net.parameters(), lr=2e-3, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()

def accuracy(a, b):
    net.eval()
    with torch.no_grad():
        right = sum((net(a[i:i + 1000]).argmax(1) == b[i:i + 1000]).sum().item() for i in range(0, len(a), 1000))
    net.train()
    return right / len(a)

args = [a for a in sys.argv[1:] if not a.startswith('--')]
EPOCHS = int(args[0]) if args else 5
BATCH = int(sys.argv[sys.argv.index('--batch') + 1]) if '--batch' in sys.argv else 64
if '--batch' in sys.argv: args.remove(str(BATCH))
COSINE = '--cosine' in sys.argv
steps_per_epoch = (len(X) + BATCH - 1) // BATCH
total = EPOCHS * steps_per_epoch
step = 0
cpu0 = time.process_time()
for epoch in range(1, 1 + EPOCHS):
    order = torch.randperm(len(X))
    for s in range(0, len(X), BATCH):
        i = order[s:s + BATCH]
        if COSINE:
            for g in opt.param_groups: g['lr'] = 2e-3 * 0.5 * (1 + math.cos(math.pi * step / total))
        step += 1
        opt.zero_grad()
        loss = loss_fn(net(X[i]), Y[i])
        loss.backward()
        opt.step()
    cpu = time.process_time() - cpu0
    print(json.dumps({'epoch': epoch, 'cosine': COSINE, 'bn': BN, 'batch': BATCH, 'trainImages': len(X), 'cpuSeconds': round(cpu, 1), 'valAccuracy': accuracy(XV, YV), 'testAccuracy': accuracy(XT, YT)}), flush=True)
