"""PyTorch reference for bench/train-image.mjs: the same CNN, data, initial weights and batch order.

Reads bench/out/img-*.bin written by train-image.mjs; prints one JSON line per thread setting.
Run by train-image.mjs with Debian's python3-torch (/usr/bin/python3); not meant to be run alone.
Activations are permuted to channels-last before flattening so the dense layer's weights mean the
same as in TensorFlow.js (which flattens NHWC).
"""
import json
import sys
import time

import numpy as np
import torch

out, n, n_test, batch, epochs = sys.argv[1], *map(int, sys.argv[2:6])
lr = float(sys.argv[6])
threads_list = [int(t) for t in sys.argv[7].split(',')]
x = torch.from_numpy(np.fromfile(f'{out}/img-x.bin', dtype=np.float32).reshape(n, 1, 28, 28))
y = torch.from_numpy(np.fromfile(f'{out}/img-y.bin', dtype=np.int32).astype(np.int64))
xt = torch.from_numpy(np.fromfile(f'{out}/img-xt.bin', dtype=np.float32).reshape(n_test, 1, 28, 28))
yt = torch.from_numpy(np.fromfile(f'{out}/img-yt.bin', dtype=np.int32).astype(np.int64))
orders = np.fromfile(f'{out}/img-order.bin', dtype=np.uint32).reshape(epochs, n).astype(np.int64)
init = np.fromfile(f'{out}/img-init.bin', dtype=np.float32)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = torch.nn.Conv2d(32, 64, 3, padding=1)
        self.d1 = torch.nn.Linear(7 * 7 * 64, 128)
        self.d2 = torch.nn.Linear(128, 10)

    def forward(self, v):
        v = torch.max_pool2d(torch.relu(self.c1(v)), 2)
        v = torch.max_pool2d(torch.relu(self.c2(v)), 2)
        v = v.permute(0, 2, 3, 1).reshape(v.shape[0], -1)
        return self.d2(torch.relu(self.d1(v)))


def load(net):
    offset = 0

    def take(shape):
        nonlocal offset
        size = int(np.prod(shape))
        a = init[offset:offset + size].reshape(shape)
        offset += size
        return a

    with torch.no_grad():
        # TensorFlow.js order: conv kernel [fh, fw, ci, co], bias; dense kernel [in, out], bias.
        net.c1.weight.copy_(torch.from_numpy(take((3, 3, 1, 32)).transpose(3, 2, 0, 1).copy()))
        net.c1.bias.copy_(torch.from_numpy(take((32,)).copy()))
        net.c2.weight.copy_(torch.from_numpy(take((3, 3, 32, 64)).transpose(3, 2, 0, 1).copy()))
        net.c2.bias.copy_(torch.from_numpy(take((64,)).copy()))
        net.d1.weight.copy_(torch.from_numpy(take((3136, 128)).T.copy()))
        net.d1.bias.copy_(torch.from_numpy(take((128,)).copy()))
        net.d2.weight.copy_(torch.from_numpy(take((128, 10)).T.copy()))
        net.d2.bias.copy_(torch.from_numpy(take((10,)).copy()))


for threads in threads_list:
    torch.set_num_threads(threads)
    net = Net()
    load(net)
    opt = torch.optim.Adam(net.parameters(), lr=lr, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    warm = Net()
    warm_opt = torch.optim.Adam(warm.parameters(), lr=lr)
    for _ in range(5):
        warm_opt.zero_grad()
        loss_fn(warm(x[:batch]), y[:batch]).backward()
        warm_opt.step()
    start = time.perf_counter()
    cpu_start = time.process_time()
    last = 0.0
    for epoch in range(epochs):
        order = torch.from_numpy(orders[epoch])
        total = 0.0
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            opt.zero_grad()
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        last = total / n
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    with torch.no_grad():
        acc = float((net(xt).argmax(1) == yt).float().mean())
    print(json.dumps({'threads': threads, 'version': torch.__version__, 'images': n * epochs, 'wall': wall, 'cpu': cpu,
                      'imagesPerSec': n * epochs / wall, 'imagesPerCpuSec': n * epochs / cpu, 'loss': last, 'testAccuracy': acc}))
