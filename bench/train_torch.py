"""PyTorch reference for bench/train.mjs: the same MLP, data, initial weights and batch order.

Reads bench/out/train-*.bin written by train.mjs; prints one JSON line per thread setting.
Run by train.mjs with Debian's python3-torch (/usr/bin/python3); not meant to be run alone.
"""
import json
import sys
import time

import numpy as np
import torch

out, n, d, hidden, batch, epochs, lr = sys.argv[1], *map(int, sys.argv[2:7]), float(sys.argv[7])
threads_list = [int(t) for t in sys.argv[8].split(',')]
x = torch.from_numpy(np.fromfile(f'{out}/train-x.bin', dtype=np.float32).reshape(n, d))
y = torch.from_numpy(np.fromfile(f'{out}/train-y.bin', dtype=np.float32).reshape(n, 1))
orders = np.fromfile(f'{out}/train-order.bin', dtype=np.uint32).reshape(epochs, n).astype(np.int64)
init = np.fromfile(f'{out}/train-init.bin', dtype=np.float32)

for threads in threads_list:
    torch.set_num_threads(threads)
    sizes = [d, hidden, hidden, 1]
    layers = []
    offset = 0
    for i in range(3):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        w = init[offset:offset + sizes[i] * sizes[i + 1]].reshape(sizes[i], sizes[i + 1])
        offset += sizes[i] * sizes[i + 1]
        b = init[offset:offset + sizes[i + 1]]
        offset += sizes[i + 1]
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b.copy()))
        layers += [lin] + ([torch.nn.ReLU()] if i < 2 else [])
    model = torch.nn.Sequential(*layers)
    # eps 1e-7 as in tfjs/Keras (PyTorch's default is 1e-8).
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    # Warm-up on a throwaway copy (first calls allocate and pick kernels), like the tfjs runs.
    warm = torch.nn.Sequential(*[torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
    warm_opt = torch.optim.Adam(warm.parameters(), lr=lr)
    for _ in range(30):
        warm_opt.zero_grad()
        loss_fn(warm(x[:batch]), y[:batch]).backward()
        warm_opt.step()
    start = time.perf_counter()
    cpu_start = time.process_time()
    last_epoch_loss = 0.0
    for epoch in range(epochs):
        if epoch == 1:
            steady_start = time.perf_counter()
            steady_cpu = time.process_time()
        order = torch.from_numpy(orders[epoch])
        total = 0.0
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        last_epoch_loss = total / n
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    steady = {'steadyPerSec': n * (epochs - 1) / (time.perf_counter() - steady_start),
              'steadyPerCpuSec': n * (epochs - 1) / (time.process_time() - steady_cpu)}
    with torch.no_grad():
        final = loss_fn(model(x), y).item()
    print(json.dumps({'threads': threads, 'seconds': seconds, 'samplesPerSec': n * epochs / seconds, 'samplesPerCpuSec': n * epochs / cpu_seconds, **steady,
                      'lastEpochLoss': last_epoch_loss, 'finalLoss': final, 'version': torch.__version__}), flush=True)
