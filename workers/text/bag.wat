;; The embedding bag's two passes over (document, row) pairs, as WebAssembly SIMD loops (four
;; floats at a time): the forward sum of weighted table rows per document, and the row-wise
;; Adagrad update of the rows a batch touched.
;;
;; Compiled by build/compile-wat.mjs into bag-wasm.ts (bytes, base64) and run by bag-kernel.ts,
;; which lays out in this module's memory: the table E (buckets × dim f32), its Adagrad
;; accumulators vE (one f32 per row), and each split's bags in compressed sparse rows (offsets
;; i32 × (documents + 1), row ids i32, weights f32), plus scratch for one batch (document
;; indices, hidden sums h and their gradient dh, batch × dim f32). `dim` is a multiple of 4; all
;; f32 arrays are 16-byte aligned. The same loops in JavaScript cost about 6× more per pair.
(module
  (memory (export "memory") 1)

  ;; forward(docs, count, offsets, ids, weights, e, h, dim): for r < count, with
  ;; d = docs[r]: h[r] = Σ_{q ∈ [offsets[d], offsets[d + 1])} weights[q] · E[ids[q]].
  (func (export "forward")
    (param $docs i32) (param $count i32) (param $offsets i32) (param $ids i32) (param $weights i32)
    (param $e i32) (param $h i32) (param $dim i32)
    (local $r i32) (local $d i32) (local $q i32) (local $qEnd i32) (local $row i32) (local $out i32)
    (local $k i32) (local $rowBytes i32) (local $w v128)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $docsDone
      (loop $nextDoc
        (br_if $docsDone (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $d (i32.load (i32.add (local.get $docs) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $q (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $d) (i32.const 2)))))
        (local.set $qEnd (i32.load (i32.add (local.get $offsets) (i32.shl (i32.add (local.get $d) (i32.const 1)) (i32.const 2)))))
        (local.set $out (i32.add (local.get $h) (i32.mul (local.get $r) (local.get $rowBytes))))
        ;; h[r] = 0
        (local.set $k (i32.const 0))
        (block $zeroDone
          (loop $zero
            (br_if $zeroDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $out) (local.get $k)) (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $zero)))
        (block $pairsDone
          (loop $nextPair
            (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $qEnd)))
            (local.set $w (v128.load32_splat (i32.add (local.get $weights) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $row
              (i32.add (local.get $e)
                (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $q) (i32.const 2)))) (local.get $rowBytes))))
            (local.set $k (i32.const 0))
            (block $lanesDone
              (loop $lanes
                (br_if $lanesDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
                (v128.store (i32.add (local.get $out) (local.get $k))
                  (f32x4.add
                    (v128.load (i32.add (local.get $out) (local.get $k)))
                    (f32x4.mul (local.get $w) (v128.load (i32.add (local.get $row) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $lanes)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $nextPair)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextDoc))))

  ;; adagrad(docs, count, offsets, ids, weights, e, v, dh, dim, rate, eps): for each document r of
  ;; the batch and each of its pairs (row i, weight w): the pair's gradient is w · dh[r], so
  ;; v[i] += w² · ‖dh[r]‖² / dim and E[i] -= rate · w / (√v[i] + eps) · dh[r].
  (func (export "adagrad")
    (param $docs i32) (param $count i32) (param $offsets i32) (param $ids i32) (param $weights i32)
    (param $e i32) (param $v i32) (param $dh i32) (param $dim i32) (param $rate f32) (param $eps f32)
    (local $r i32) (local $d i32) (local $q i32) (local $qEnd i32) (local $row i32) (local $grad i32)
    (local $k i32) (local $rowBytes i32) (local $id i32) (local $w f32) (local $vi f32)
    (local $square v128) (local $g v128) (local $perWeight f32) (local $s v128)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $docsDone
      (loop $nextDoc
        (br_if $docsDone (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $grad (i32.add (local.get $dh) (i32.mul (local.get $r) (local.get $rowBytes))))
        ;; ‖dh[r]‖², four partial sums then across the lanes.
        (local.set $square (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $sqDone
          (loop $sq
            (br_if $sqDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (local.set $g (v128.load (i32.add (local.get $grad) (local.get $k))))
            (local.set $square (f32x4.add (local.get $square) (f32x4.mul (local.get $g) (local.get $g))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $sq)))
        (local.set $perWeight
          (f32.div
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $square)) (f32x4.extract_lane 1 (local.get $square)))
              (f32.add (f32x4.extract_lane 2 (local.get $square)) (f32x4.extract_lane 3 (local.get $square))))
            (f32.convert_i32_u (local.get $dim))))
        (if (f32.gt (local.get $perWeight) (f32.const 0))
          (then
            (local.set $d (i32.load (i32.add (local.get $docs) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $q (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $d) (i32.const 2)))))
            (local.set $qEnd (i32.load (i32.add (local.get $offsets) (i32.shl (i32.add (local.get $d) (i32.const 1)) (i32.const 2)))))
            (block $pairsDone
              (loop $nextPair
                (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $qEnd)))
                (local.set $w (f32.load (i32.add (local.get $weights) (i32.shl (local.get $q) (i32.const 2)))))
                (local.set $id (i32.load (i32.add (local.get $ids) (i32.shl (local.get $q) (i32.const 2)))))
                (local.set $vi
                  (f32.add
                    (f32.load (i32.add (local.get $v) (i32.shl (local.get $id) (i32.const 2))))
                    (f32.mul (f32.mul (local.get $w) (local.get $w)) (local.get $perWeight))))
                (f32.store (i32.add (local.get $v) (i32.shl (local.get $id) (i32.const 2))) (local.get $vi))
                (local.set $s
                  (f32x4.splat
                    (f32.div (f32.mul (local.get $rate) (local.get $w)) (f32.add (f32.sqrt (local.get $vi)) (local.get $eps)))))
                (local.set $row (i32.add (local.get $e) (i32.mul (local.get $id) (local.get $rowBytes))))
                (local.set $k (i32.const 0))
                (block $lanesDone
                  (loop $lanes
                    (br_if $lanesDone (i32.ge_u (local.get $k) (local.get $rowBytes)))
                    (v128.store (i32.add (local.get $row) (local.get $k))
                      (f32x4.sub
                        (v128.load (i32.add (local.get $row) (local.get $k)))
                        (f32x4.mul (local.get $s) (v128.load (i32.add (local.get $grad) (local.get $k))))))
                    (local.set $k (i32.add (local.get $k) (i32.const 16)))
                    (br $lanes)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $nextPair)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextDoc))))
)
