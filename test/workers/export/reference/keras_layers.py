"""Independent reference for test/workers/export/layers.test.ts: Keras 2.2.4 layer semantics written
from the Keras and TensorFlow documentation in NumPy (no TensorFlow, no ONNX), for the layers a
MobileNetV2 uses. Reads a JSON file {x, shape, weights: {name: {values, shape}}} and prints the
output of ZeroPadding2D(((0, 1), (1, 0))) -> DepthwiseConv2D(3, strides 2, 'same', depth_multiplier 2,
bias) -> BatchNormalization(epsilon 0.01) -> ReLU(max_value 6) as JSON.

Run: /usr/bin/python3 keras_layers.py input.json
"""
import json
import math
import sys

import numpy as np


def zero_padding_2d(x, padding):
    # Keras: ((top, bottom), (left, right)) zeros added to rows and columns of a channels-last tensor.
    (top, bottom), (left, right) = padding
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def same_pads(size, kernel, stride):
    # TensorFlow's SAME: output ceil(size / stride); the odd cell of padding goes after.
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


def depthwise_conv_2d(x, kernel, bias, stride):
    # tf.nn.depthwise_conv2d: out[b, i, j, c * multiplier + q] = sum_{di, dj} x[b, s*i + di, s*j + dj, c] * kernel[di, dj, c, q]
    n, h, w, channels = x.shape
    kh, kw, _, multiplier = kernel.shape
    top, bottom, out_h = same_pads(h, kh, stride)
    left, right, out_w = same_pads(w, kw, stride)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out = np.zeros((n, out_h, out_w, channels * multiplier))
    for i in range(out_h):
        for j in range(out_w):
            patch = xp[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            for c in range(channels):
                for q in range(multiplier):
                    out[:, i, j, c * multiplier + q] = np.sum(patch[:, :, :, c] * kernel[:, :, c, q], axis=(1, 2))
    return out + bias


def batch_normalization(x, gamma, beta, mean, variance, epsilon):
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + beta


def relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    # keras.layers.ReLU: max_value from there up, x from threshold, negative_slope * (x - threshold) below.
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return np.minimum(y, max_value) if max_value is not None else y


def main():
    data = json.load(open(sys.argv[1]))
    x = np.array(data["x"], dtype=np.float64).reshape(data["shape"])
    w = {k: np.array(v["values"], dtype=np.float64).reshape(v["shape"]) for k, v in data["weights"].items()}
    y = zero_padding_2d(x, ((0, 1), (1, 0)))
    y = depthwise_conv_2d(y, w["dw/depthwise_kernel"], w["dw/bias"], 2)
    y = batch_normalization(y, w["bn/gamma"], w["bn/beta"], w["bn/moving_mean"], w["bn/moving_variance"], 0.01)
    y = relu(y, max_value=6.0)
    print(json.dumps({"shape": list(y.shape), "values": y.ravel().tolist()}))


main()
