// Turns the MobileNetV2 bundled in the MIT-licensed npm package nsfwjs@4.4.0 (dist/models/mobilenet_v2/:
// model.min.js + group1-shard1of1.min.js, JS wrappers around model.json and its base64 weights) into
// the standard TensorFlow.js folder a user would have: model.json + group1-shard1of1.bin.
// It is a Keras 2.2.4 layers model (162 layers, 224×224×3 input, uint8-quantised weights, 2.6 MB).
// Usage: npm pack nsfwjs@4.4.0 && tar xzf nsfwjs-4.4.0.tgz
//        node bench/mobilenet-from-nsfwjs.mjs package/dist/models/mobilenet_v2 OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const [from, out] = process.argv.slice(2);
if (!from || !out) throw new Error('usage: node bench/mobilenet-from-nsfwjs.mjs PACKAGE/dist/models/mobilenet_v2 OUT_DIR');
const model = require(path.resolve(from, 'model.min.js'));
const shard = require(path.resolve(from, 'group1-shard1of1.min.js'));
model.weightsManifest[0].paths = ['group1-shard1of1.bin'];
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(model));
fs.writeFileSync(path.join(out, 'group1-shard1of1.bin'), Buffer.from(shard, 'base64'));
console.log(`${out}: model.json + group1-shard1of1.bin`);
