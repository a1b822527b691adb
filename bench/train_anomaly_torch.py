"""PyTorch reference for bench/train-anomaly.mjs: the same autoencoder, data, initial weights and batch order.

Reads bench/out/anomaly-*.bin written by train-anomaly.mjs; prints one JSON line per thread setting.
Run by train-anomaly.mjs with Debian's python3-torch (/usr/bin/python3); not meant to be run alone.
"""
import json
import sys
import time

import numpy as np
import torch

out, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hidden = [int(h) for h in sys.argv[4].split(',')]
batch, epochs, lr = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
threads_list = [int(t) for t in sys.argv[8].split(',')]
x = torch.from_numpy(np.fromfile(f'{out}/anomaly-x.bin', dtype=np.float32).reshape(n, d))
orders = np.fromfile(f'{out}/anomaly-order.bin', dtype=np.uint32).reshape(epochs, n).astype(np.int64)
init = np.fromfile(f'{out}/anomaly-init.bin', dtype=np.float32)
sizes = [d, *hidden, d]


def network():
    layers = []
    offset = 0
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        w = init[offset:offset + sizes[i] * sizes[i + 1]].reshape(sizes[i], sizes[i + 1])
        offset += sizes[i] * sizes[i + 1]
        b = init[offset:offset + sizes[i + 1]]
        offset += sizes[i + 1]
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b.copy()))
        layers += [lin] + ([torch.nn.ReLU()] if i < len(sizes) - 2 else [])
    return torch.nn.Sequential(*layers)


for threads in threads_list:
    torch.set_num_threads(threads)
    model = network()
    # eps 1e-7 as in tfjs/Keras (PyTorch's default is 1e-8).
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    loss_fn = torch.nn.MSELoss()
    warm = network()
    warm_opt = torch.optim.Adam(warm.parameters(), lr=lr)
    for _ in range(30):
        warm_opt.zero_grad()
        loss_fn(warm(x[:batch]), x[:batch]).backward()
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
            xb = x[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), xb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        last_epoch_loss = total / n
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    steady = {'steadyPerSec': n * (epochs - 1) / (time.perf_counter() - steady_start),
              'steadyPerCpuSec': n * (epochs - 1) / (time.process_time() - steady_cpu)}
    with torch.no_grad():
        final = loss_fn(model(x), x).item()
    print(json.dumps({'threads': threads, 'seconds': seconds, 'cpuSeconds': cpu_seconds, 'samplesPerSec': n * epochs / seconds,
                      'samplesPerCpuSec': n * epochs / cpu_seconds, **steady,
                      'lastEpochLoss': last_epoch_loss, 'finalLoss': final, 'version': torch.__version__}), flush=True)
