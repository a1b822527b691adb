;; One Adam step as a WebAssembly SIMD loop, four floats at a time.
;;
;; Compiled by build/compile-wat.mjs into adam-wasm.ts (bytes, base64) and run by adam.ts, which
;; copies the parameters, gradients and moments in, calls `adam` once for all of them, and copies
;; the results out. The same step in plain JavaScript costs about 3 ns per parameter (a square root
;; and a division per float, in double precision); this loop about 0.5.
;;
;; adam(n, g, p, m, v, step, eps): n floats (a multiple of 4) at byte offsets g, p, m, v (16-byte
;; aligned) for the gradient, parameters and first and second moments. `step` is the learning rate
;; with both bias corrections folded in, `eps` the epsilon scaled the same way (see adam.ts).
(module
  (memory (export "memory") 1)
  (func (export "adam")
    (param $n i32) (param $g i32) (param $p i32) (param $m i32) (param $v i32) (param $step f32) (param $eps f32)
    (local $i i32) (local $end i32)
    (local $gi v128) (local $mi v128) (local $vi v128)
    (local $b1 v128) (local $c1 v128) (local $b2 v128) (local $c2 v128) (local $s v128) (local $e v128)
    ;; β1 = 0.9 and β2 = 0.999, as in Keras and PyTorch.
    (local.set $b1 (f32x4.splat (f32.const 0.9)))
    (local.set $c1 (f32x4.splat (f32.const 0.1)))
    (local.set $b2 (f32x4.splat (f32.const 0.999)))
    (local.set $c2 (f32x4.splat (f32.const 0.001)))
    (local.set $s (f32x4.splat (local.get $step)))
    (local.set $e (f32x4.splat (local.get $eps)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gi (v128.load (i32.add (local.get $g) (local.get $i))))
        ;; m ← β1·m + (1 − β1)·g
        (local.set $mi
          (f32x4.add
            (f32x4.mul (local.get $b1) (v128.load (i32.add (local.get $m) (local.get $i))))
            (f32x4.mul (local.get $c1) (local.get $gi))))
        ;; v ← β2·v + (1 − β2)·g²
        (local.set $vi
          (f32x4.add
            (f32x4.mul (local.get $b2) (v128.load (i32.add (local.get $v) (local.get $i))))
            (f32x4.mul (local.get $c2) (f32x4.mul (local.get $gi) (local.get $gi)))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
        ;; p ← p − step·m / (√v + eps)
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $i)))
            (f32x4.div
              (f32x4.mul (local.get $s) (local.get $mi))
              (f32x4.add (f32x4.sqrt (local.get $vi)) (local.get $e)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))
)
