"""PyTorch reference for bench/train-forecast.mjs: the same windowed network, windows, initial weights and batch order.

Reads bench/out/forecast-*.bin written by train-forecast.mjs; prints one JSON line per thread setting.
Run by train-forecast.mjs with Debian's python3-torch (/usr/bin/python3); not meant to be run alone.
"""
import json
import sys
import time

import numpy as np
import torch

out, n, d, k, batch, epochs, lr = sys.argv[1], *map(int, sys.argv[2:7]), float(sys.argv[7])
threads_list = [int(t) for t in sys.argv[8].split(',')]
x = torch.from_numpy(np.fromfile(f'{out}/forecast-x.bin', dtype=np.float32).reshape(n, d))
y = torch.from_numpy(np.fromfile(f'{out}/forecast-y.bin', dtype=np.float32).reshape(n, k))
orders = np.fromfile(f'{out}/forecast-order.bin', dtype=np.uint32).reshape(epochs, n).astype(np.int64)
init = np.fromfile(f'{out}/forecast-init.bin', dtype=np.float32)
sizes = [d, 128, 64, k]


class Windowed(torch.nn.Module):
    """Dense ReLU layers plus a bias-free linear path from the inputs to the outputs (the trainer's Mlp with skip)."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.skip = torch.nn.Linear(d, k, bias=False)

    def forward(self, v):
        h = v
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = torch.relu(h)
        return h + self.skip(v)


def load(model):
    offset = 0
    with torch.no_grad():
        for i, lin in enumerate(model.layers):
            w = init[offset:offset + sizes[i] * sizes[i + 1]].reshape(sizes[i], sizes[i + 1])
            offset += sizes[i] * sizes[i + 1]
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(init[offset:offset + sizes[i + 1]].copy()))
            offset += sizes[i + 1]
        model.skip.weight.copy_(torch.from_numpy(init[offset:offset + d * k].reshape(d, k).T.copy()))


loss_fn = torch.nn.MSELoss()
for threads in threads_list:
    torch.set_num_threads(threads)
    model = Windowed()
    load(model)
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)  # eps as in tfjs/Keras
    warm = Windowed()
    warm_opt = torch.optim.Adam(warm.parameters(), lr=lr)
    for _ in range(30):
        warm_opt.zero_grad()
        loss_fn(warm(x[:batch]), y[:batch]).backward()
        warm_opt.step()
    start = time.perf_counter()
    cpu_start = time.process_time()
    last_epoch_loss = 0.0
    for epoch in range(epochs):
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
    with torch.no_grad():
        final = loss_fn(model(x), y).item()
    print(json.dumps({'threads': threads, 'seconds': seconds, 'cpuSeconds': cpu_seconds, 'samplesPerSec': n * epochs / seconds,
                      'samplesPerCpuSec': n * epochs / cpu_seconds, 'lastEpochLoss': last_epoch_loss, 'finalLoss': final,
                      'version': torch.__version__}), flush=True)
