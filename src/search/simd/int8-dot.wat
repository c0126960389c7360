;; Int8 dot products with WebAssembly SIMD (see src/search/simd/int8-dot.ts).
;;
;; dots(codes, dim, n, q, out): for each of n rows stored contiguously from `codes` (row r at
;; codes + r·dim, int8), out[r] = Σ_j codes[r·dim + j] · q[j], where q holds the query as int16
;; (dim values) and out is int32. dim must be a multiple of 8. Eight int8 values are loaded and
;; sign-extended to int16 lanes at a time (v128.load8x8_s), multiplied pairwise and summed into
;; int32 lanes (i32x4.dot_i16x8_s). Exact integer arithmetic: the same sums as a scalar loop.
(module
  (import "env" "mem" (memory 1))
  (func (export "dots") (param $codes i32) (param $dim i32) (param $n i32) (param $q i32) (param $out i32)
    (local $p i32) (local $end i32) (local $j i32) (local $acc v128) (local $acc2 v128)
    (local.set $p (local.get $codes))
    (local.set $end (i32.add (local.get $codes) (i32.mul (local.get $n) (local.get $dim))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        ;; two independent accumulators over 16 values per iteration, then a tail of 8
        (block $tail
          (loop $cols
            (br_if $tail (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $dim)))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s
                (v128.load8x8_s (i32.add (local.get $p) (local.get $j)))
                (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
            (local.set $acc2 (i32x4.add (local.get $acc2)
              (i32x4.dot_i16x8_s
                (v128.load8x8_s offset=8 (i32.add (local.get $p) (local.get $j)))
                (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (if (i32.lt_u (local.get $j) (local.get $dim))
          (then
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s
                (v128.load8x8_s (i32.add (local.get $p) (local.get $j)))
                (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))))
        (local.set $acc (i32x4.add (local.get $acc) (local.get $acc2)))
        (i32.store (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (local.get $dim)))
        (br $rows)))))
