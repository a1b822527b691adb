;; One CSV record's fields as spans and hashes: the loop of `ByteRecordParser.parse` (byte-parser.ts)
;; in WebAssembly, byte for byte the same decisions, counters and hashes. V8 runs the JavaScript
;; loop at about 10 cycles a byte (bounds checks, a table look-up and two hash lanes per byte);
;; here the two lanes' multiplications are the critical path.
;;
;; Compiled by build/compile-wat.mjs into byte-parser-wasm.ts (bytes, base64) and driven by
;; byte-parser.ts, which copies each buffer in and reads the fields out of this memory.
;;
;; Memory: bytes 0-255 the byte classes (1: delimiter, quote, CR or LF; 2: above 0x7f; else 0),
;; set by the caller; bytes 256-279 what `record` reports besides its return value (six i32:
;; field count, end of the record's last field, whether a field was quoted, quotes, line breaks,
;; and 1 once a quote was left open at the end of the input).
;;
;; record(in, i, n, final, f, cap, delim): parses the record starting at byte i of the input at
;; `in` (n bytes). Field k's start, end, hash lanes A and B go to the i32 arrays at f, f + 4 cap,
;; f + 8 cap, f + 12 cap, its kind to the byte at f + 16 cap + k (start and end relative to `in`).
;; Returns the index after the record's line break; -1 when the record is cut off at the end of
;; the input (and `final` is 0); -2 when it has more than `cap` fields (the caller makes room and
;; calls again).
(module
  (memory (export "memory") 1)
  (func (export "record")
    (param $in i32) (param $i i32) (param $n i32) (param $final i32) (param $f i32) (param $cap i32) (param $delim i32)
    (result i32)
    (local $count i32) (local $sawQuote i32) (local $quotes i32) (local $lines i32)
    (local $a i32) (local $b i32) (local $high i32) (local $from i32) (local $to i32) (local $kind i32)
    (local $c i32) (local $d i32) (local $sp i32) (local $j i32) (local $j2 i32) (local $open i32) (local $escaped i32)
    (local $recordEnd i32)
    (block $done
      (loop $field
        (if (i32.eq (local.get $count) (local.get $cap)) (then (return (i32.const -2))))
        (local.set $a (i32.const 0x811c9dc5))
        (local.set $b (i32.const 0x5ad1e806)) ;; 0x01000193 ^ 0x5bd1e995
        (local.set $high (i32.const 0))
        (local.set $c (i32.const -1))
        (if (i32.lt_u (local.get $i) (local.get $n))
          (then (local.set $c (i32.load8_u (i32.add (local.get $in) (local.get $i))))))
        (if (i32.eq (local.get $c) (i32.const 34))
          (then
            ;; A quoted field.
            (local.set $sawQuote (i32.const 1))
            (local.set $quotes (i32.add (local.get $quotes) (i32.const 1)))
            (local.set $open (local.get $i))
            (local.set $escaped (i32.const 0))
            (local.set $j (i32.add (local.get $i) (i32.const 1)))
            (block $closed
              (loop $inside
                (if (i32.eq (local.get $j) (local.get $n))
                  (then
                    (if (i32.eqz (local.get $final)) (then (return (i32.const -1))))
                    (i32.store (i32.const 276) (i32.const 1))
                    (local.set $to (local.get $n))
                    (local.set $i (local.get $n))
                    (br $closed)))
                (local.set $d (i32.load8_u (i32.add (local.get $in) (local.get $j))))
                (if (i32.eq (local.get $d) (i32.const 34))
                  (then
                    ;; The quote may start an escape: wait for the byte after it.
                    (if (i32.and (i32.eq (i32.add (local.get $j) (i32.const 1)) (local.get $n)) (i32.eqz (local.get $final)))
                      (then (return (i32.const -1))))
                    (local.set $quotes (i32.add (local.get $quotes) (i32.const 1)))
                    (if (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $n))
                      (then
                        (if (i32.eq (i32.load8_u (i32.add (i32.add (local.get $in) (local.get $j)) (i32.const 1))) (i32.const 34))
                          (then
                            (local.set $quotes (i32.add (local.get $quotes) (i32.const 1)))
                            (local.set $escaped (i32.const 1))
                            (local.set $a (i32.mul (i32.xor (local.get $a) (i32.const 34)) (i32.const 0x01000193)))
                            (local.set $b (i32.add (i32.mul (i32.xor (local.get $b) (i32.const 34)) (i32.const 0x01000193)) (i32.const 0x7f4a7c15)))
                            (local.set $j (i32.add (local.get $j) (i32.const 2)))
                            (br $inside)))))
                    (local.set $to (local.get $j))
                    (local.set $i (i32.add (local.get $j) (i32.const 1)))
                    (br $closed)))
                (if (i32.eq (local.get $d) (i32.const 10)) (then (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))
                (local.set $high (i32.or (local.get $high) (local.get $d)))
                (local.set $a (i32.mul (i32.xor (local.get $a) (local.get $d)) (i32.const 0x01000193)))
                (local.set $b (i32.add (i32.mul (i32.xor (local.get $b) (local.get $d)) (i32.const 0x01000193)) (i32.const 0x7f4a7c15)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $inside)))
            ;; Lenient: text after the closing quote ("a"b) belongs to the field.
            (local.set $j2 (local.get $i))
            (block $stop
              (loop $after
                (br_if $stop (i32.ge_u (local.get $j2) (local.get $n)))
                (local.set $d (i32.load8_u (i32.add (local.get $in) (local.get $j2))))
                (local.set $sp (i32.load8_u (local.get $d)))
                (if (local.get $sp)
                  (then
                    (if (i32.eq (local.get $sp) (i32.const 2))
                      (then (local.set $high (i32.const 0x80)))
                      (else
                        (br_if $stop (i32.ne (local.get $d) (i32.const 34)))
                        (local.set $quotes (i32.add (local.get $quotes) (i32.const 1)))))))
                (local.set $a (i32.mul (i32.xor (local.get $a) (local.get $d)) (i32.const 0x01000193)))
                (local.set $b (i32.add (i32.mul (i32.xor (local.get $b) (local.get $d)) (i32.const 0x01000193)) (i32.const 0x7f4a7c15)))
                (local.set $j2 (i32.add (local.get $j2) (i32.const 1)))
                (br $after)))
            (if (i32.and (i32.eq (local.get $j2) (local.get $n)) (i32.eqz (local.get $final)))
              (then (return (i32.const -1))))
            (if (i32.or (local.get $escaped) (i32.gt_u (local.get $j2) (local.get $i)))
              (then
                (local.set $kind (i32.const 2))
                (local.set $from (local.get $open))
                (local.set $to (local.get $j2)))
              (else
                (local.set $kind (i32.ge_u (local.get $high) (i32.const 0x80)))
                (local.set $from (i32.add (local.get $open) (i32.const 1)))))
            (local.set $i (local.get $j2)))
          (else
            ;; An unquoted field: up to the next delimiter, CR or LF (a quote inside is kept).
            (local.set $j (local.get $i))
            (block $stop
              (loop $plain
                (br_if $stop (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $d (i32.load8_u (i32.add (local.get $in) (local.get $j))))
                (local.set $sp (i32.load8_u (local.get $d)))
                (if (local.get $sp)
                  (then
                    (if (i32.eq (local.get $sp) (i32.const 2))
                      (then (local.set $high (i32.const 0x80)))
                      (else
                        (br_if $stop (i32.ne (local.get $d) (i32.const 34)))
                        (local.set $quotes (i32.add (local.get $quotes) (i32.const 1)))))))
                (local.set $a (i32.mul (i32.xor (local.get $a) (local.get $d)) (i32.const 0x01000193)))
                (local.set $b (i32.add (i32.mul (i32.xor (local.get $b) (local.get $d)) (i32.const 0x01000193)) (i32.const 0x7f4a7c15)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $plain)))
            (if (i32.and (i32.eq (local.get $j) (local.get $n)) (i32.eqz (local.get $final)))
              (then (return (i32.const -1))))
            (local.set $kind (i32.ge_u (local.get $high) (i32.const 0x80)))
            (local.set $from (local.get $i))
            (local.set $to (local.get $j))
            (local.set $i (local.get $j))))
        (i32.store (i32.add (local.get $f) (i32.shl (local.get $count) (i32.const 2))) (local.get $from))
        (i32.store (i32.add (i32.add (local.get $f) (i32.shl (local.get $cap) (i32.const 2))) (i32.shl (local.get $count) (i32.const 2))) (local.get $to))
        (i32.store (i32.add (i32.add (local.get $f) (i32.shl (local.get $cap) (i32.const 3))) (i32.shl (local.get $count) (i32.const 2))) (local.get $a))
        (i32.store (i32.add (i32.add (local.get $f) (i32.mul (local.get $cap) (i32.const 12))) (i32.shl (local.get $count) (i32.const 2))) (local.get $b))
        (i32.store8 (i32.add (i32.add (local.get $f) (i32.shl (local.get $cap) (i32.const 4))) (local.get $count)) (local.get $kind))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (local.set $recordEnd (local.get $i))
        ;; Now at a delimiter, a line break, or the end.
        (local.set $c (i32.const -1))
        (if (i32.lt_u (local.get $i) (local.get $n))
          (then (local.set $c (i32.load8_u (i32.add (local.get $in) (local.get $i))))))
        (if (i32.eq (local.get $c) (local.get $delim))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $field)))
        (if (i32.eq (local.get $c) (i32.const 13))
          (then
            ;; A CRLF may be split across reads.
            (if (i32.and (i32.eq (i32.add (local.get $i) (i32.const 1)) (local.get $n)) (i32.eqz (local.get $final)))
              (then (return (i32.const -1))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.lt_u (local.get $i) (local.get $n))
              (then
                (if (i32.eq (i32.load8_u (i32.add (local.get $in) (local.get $i))) (i32.const 10))
                  (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))))
            (local.set $lines (i32.add (local.get $lines) (i32.const 1))))
          (else
            (if (i32.eq (local.get $c) (i32.const 10))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (local.set $lines (i32.add (local.get $lines) (i32.const 1)))))))))
    (i32.store (i32.const 256) (local.get $count))
    (i32.store (i32.const 260) (local.get $recordEnd))
    (i32.store (i32.const 264) (local.get $sawQuote))
    (i32.store (i32.const 268) (local.get $quotes))
    (i32.store (i32.const 272) (local.get $lines))
    (local.get $i)))
