;; Sorts doubles as Float64Array.prototype.sort does (ascending, -0 before 0), by a radix sort on
;; their bits: the quantile sketch's compactors sort a couple of thousand values at a time, and
;; V8's typed-array sort costs 40 to 90 ns a value there; this costs a few.
;;
;; Compiled by build/compile-wat.mjs into sort-wasm.ts (bytes, base64) and run by sort.ts, which
;; copies the values in at byte offset 8192, calls `sort`, and copies them back.
;;
;; sort(n): sorts the n doubles at byte 8192 in place (a buffer of n more doubles follows them).
;; Returns 0, or 1 without touching the values when one is NaN (the caller sorts natively then).
;;
;; Each double becomes an unsigned 64-bit key that orders as the number does: a negative number
;; has all its bits flipped, any other only its sign bit (so -0 sorts just before 0). One pass
;; counts the eight bytes of every key; then each byte position whose keys do not all share one
;; value is a stable counting-sort pass (the high bytes of values of one magnitude often do).
(module
  (memory (export "memory") 1)
  (func (export "sort") (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $src i32) (local $dst i32) (local $t i32)
    (local $d i32) (local $shift i64) (local $counts i32) (local $sum i32) (local $c i32)
    (local $x i64) (local $k i64) (local $nan i32)
    (local.set $src (i32.const 8192))
    (local.set $dst (i32.add (i32.const 8192) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $end (local.get $dst))
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 8192))
    ;; Keys and the eight histograms (256 counts of 4 bytes per byte position, at 1024·d).
    (local.set $i (local.get $src))
    (block $keyed
      (loop $key
        (br_if $keyed (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (i64.load (local.get $i)))
        ;; NaN: all exponent bits set and a non-zero fraction.
        (local.set $nan (i32.or (local.get $nan)
          (i64.gt_u (i64.and (local.get $x) (i64.const 0x7fffffffffffffff)) (i64.const 0x7ff0000000000000))))
        (local.set $k (i64.xor (local.get $x)
          (i64.or (i64.shr_s (local.get $x) (i64.const 63)) (i64.const 0x8000000000000000))))
        (i64.store (local.get $i) (local.get $k))
        (local.set $d (i32.const 0))
        (local.set $shift (i64.const 0))
        (loop $count
          (local.set $c (i32.add (i32.shl (local.get $d) (i32.const 10))
            (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $k) (local.get $shift)) (i64.const 255))) (i32.const 2))))
          (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
          (local.set $shift (i64.add (local.get $shift) (i64.const 8)))
          (local.set $d (i32.add (local.get $d) (i32.const 1)))
          (br_if $count (i32.lt_u (local.get $d) (i32.const 8))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $key)))
    (if (local.get $nan)
      (then
        ;; Undo the keys: the caller sorts the original values.
        (local.set $i (local.get $src))
        (block $undone
          (loop $undo
            (br_if $undone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $k (i64.load (local.get $i)))
            (i64.store (local.get $i) (i64.xor (local.get $k)
              (i64.or (i64.shr_s (i64.xor (local.get $k) (i64.const -1)) (i64.const 63)) (i64.const 0x8000000000000000))))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $undo)))
        (return (i32.const 1))))
    (local.set $d (i32.const 0))
    (local.set $shift (i64.const 0))
    (block $sorted
      (loop $pass
        (br_if $sorted (i32.ge_u (local.get $d) (i32.const 8)))
        (local.set $counts (i32.shl (local.get $d) (i32.const 10)))
        ;; Skip a byte position where every key has the same byte (its count is n).
        (if (i32.ne
              (i32.load (i32.add (local.get $counts)
                (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (i64.load (local.get $src)) (local.get $shift)) (i64.const 255))) (i32.const 2))))
              (local.get $n))
          (then
            ;; Counts to starting offsets (in bytes, from $dst).
            (local.set $sum (local.get $dst))
            (local.set $i (local.get $counts))
            (block $summed
              (loop $prefix
                (br_if $summed (i32.ge_u (local.get $i) (i32.add (local.get $counts) (i32.const 1024))))
                (local.set $c (i32.load (local.get $i)))
                (i32.store (local.get $i) (local.get $sum))
                (local.set $sum (i32.add (local.get $sum) (i32.shl (local.get $c) (i32.const 3))))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $prefix)))
            ;; Scatter, in order (stable).
            (local.set $i (local.get $src))
            (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
            (block $moved
              (loop $move
                (br_if $moved (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $k (i64.load (local.get $i)))
                (local.set $c (i32.add (local.get $counts)
                  (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $k) (local.get $shift)) (i64.const 255))) (i32.const 2))))
                (local.set $t (i32.load (local.get $c)))
                (i64.store (local.get $t) (local.get $k))
                (i32.store (local.get $c) (i32.add (local.get $t) (i32.const 8)))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $move)))
            (local.set $t (local.get $src))
            (local.set $src (local.get $dst))
            (local.set $dst (local.get $t))))
        (local.set $shift (i64.add (local.get $shift) (i64.const 8)))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $pass)))
    ;; Keys back to doubles, into the first buffer.
    (local.set $i (i32.const 0))
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    (block $back
      (loop $restore
        (br_if $back (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $k (i64.load (i32.add (local.get $src) (local.get $i))))
        (i64.store (i32.add (i32.const 8192) (local.get $i)) (i64.xor (local.get $k)
          (i64.or (i64.shr_s (i64.xor (local.get $k) (i64.const -1)) (i64.const 63)) (i64.const 0x8000000000000000))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $restore)))
    (i32.const 0)))
