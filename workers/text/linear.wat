;; The logistic baseline's two passes over the sparse TF-IDF matrix (compressed sparse rows), in
;; double precision and in the same order of operations as the JavaScript loops of linear.ts (so
;; the results are the same to the last bit, tested): the logits of every row, and the gradient's
;; scatter of every row's loss derivative, plus the L2 term. The JavaScript between the two passes
;; computes each row's loss and derivative (it needs exp and log1p).
;;
;; Compiled by build/compile-wat.mjs into linear-wasm.ts (bytes, base64) and run by
;; linear-kernel.ts, which lays out in this module's memory: indptr (i32 × rows + 1), indices
;; (i32 × nnz), values (f64 × nnz), theta and grad (f64 × (outputs · cols + outputs): the weights
;; row by row, then the intercepts), z and p (f64 × rows · outputs). All pointers are in bytes;
;; f64 arrays are 8-byte aligned.
(module
  (memory (export "memory") 1)

  ;; logits(rows, k, cols, indptr, indices, values, theta, z): for r < rows, c < k:
  ;; z[r·k + c] = theta[k·cols + c] + Σ_{q ∈ [indptr[r], indptr[r + 1])} theta[c·cols + indices[q]] · values[q].
  (func (export "logits")
    (param $rows i32) (param $k i32) (param $cols i32) (param $indptr i32) (param $indices i32) (param $values i32)
    (param $theta i32) (param $z i32)
    (local $r i32) (local $c i32) (local $q i32) (local $from i32) (local $to i32) (local $base i32)
    (local $sum f64) (local $out i32)
    (local.set $out (local.get $z))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $from (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $to (i32.load (i32.add (local.get $indptr) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
        (local.set $c (i32.const 0))
        (block $classesDone
          (loop $nextClass
            (br_if $classesDone (i32.ge_u (local.get $c) (local.get $k)))
            (local.set $sum
              (f64.load (i32.add (local.get $theta)
                (i32.shl (i32.add (i32.mul (local.get $k) (local.get $cols)) (local.get $c)) (i32.const 3)))))
            ;; theta + c·cols·8: the class's weights
            (local.set $base (i32.add (local.get $theta) (i32.shl (i32.mul (local.get $c) (local.get $cols)) (i32.const 3))))
            (local.set $q (local.get $from))
            (block $pairsDone
              (loop $nextPair
                (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $to)))
                (local.set $sum
                  (f64.add (local.get $sum)
                    (f64.mul
                      (f64.load (i32.add (local.get $base)
                        (i32.shl (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
                      (f64.load (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 3)))))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $nextPair)))
            (f64.store (local.get $out) (local.get $sum))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $nextClass)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextRow))))

  ;; gradient(rows, k, cols, indptr, indices, values, p, grad): grad (zeroed by the caller) +=, row
  ;; after row, for each class c with d = p[r·k + c] ≠ 0: d · values[q] into grad[c·cols + indices[q]]
  ;; and d into the intercept grad[k·cols + c].
  (func (export "gradient")
    (param $rows i32) (param $k i32) (param $cols i32) (param $indptr i32) (param $indices i32) (param $values i32)
    (param $p i32) (param $grad i32)
    (local $r i32) (local $c i32) (local $q i32) (local $from i32) (local $to i32) (local $base i32)
    (local $d f64) (local $at i32) (local $in i32)
    (local.set $in (local.get $p))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $from (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $to (i32.load (i32.add (local.get $indptr) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
        (local.set $c (i32.const 0))
        (block $classesDone
          (loop $nextClass
            (br_if $classesDone (i32.ge_u (local.get $c) (local.get $k)))
            (local.set $d (f64.load (local.get $in)))
            (local.set $in (i32.add (local.get $in) (i32.const 8)))
            (if (f64.ne (local.get $d) (f64.const 0))
              (then
                (local.set $base (i32.add (local.get $grad) (i32.shl (i32.mul (local.get $c) (local.get $cols)) (i32.const 3))))
                (local.set $q (local.get $from))
                (block $pairsDone
                  (loop $nextPair
                    (br_if $pairsDone (i32.ge_u (local.get $q) (local.get $to)))
                    (local.set $at
                      (i32.add (local.get $base)
                        (i32.shl (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
                    (f64.store (local.get $at)
                      (f64.add (f64.load (local.get $at))
                        (f64.mul (local.get $d) (f64.load (i32.add (local.get $values) (i32.shl (local.get $q) (i32.const 3)))))))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (br $nextPair)))
                (local.set $at
                  (i32.add (local.get $grad) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $cols)) (local.get $c)) (i32.const 3))))
                (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $d)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $nextClass)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextRow))))

  ;; regularise(n, theta, grad) → Σ_{j < n} theta[j]², with grad[j] += theta[j] (the weights, not the intercepts).
  (func (export "regularise") (param $n i32) (param $theta i32) (param $grad i32) (result f64)
    (local $j i32) (local $t f64) (local $reg f64) (local $at i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $t (f64.load (i32.add (local.get $theta) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $reg (f64.add (local.get $reg) (f64.mul (local.get $t) (local.get $t))))
        (local.set $at (i32.add (local.get $grad) (i32.shl (local.get $j) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $t)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (local.get $reg))
)
