;; The word2vec training kernels: subsampling, skip-gram and CBOW over one sentence of word ids, with
;; negative sampling, hierarchical softmax, or both (word2vec.c's and gensim's updates), in 128-bit SIMD.
;; Assembled by wabt (scripts/assemble-wat.mjs): into out/word2vecKernels.wasm by the build, from this file under tsx.
;;
;; Every worker thread has its own instance over one shared memory (imported as env.memory) that holds
;; the matrices, the tables and each thread's scratch (engine/word2vec/trainingMemory.ts lays it out);
;; the threads update the matrices lock-free (Hogwild). A thread's settings and its random state live in
;; this instance's globals: `configure` once; before each epoch JavaScript sets `random`, `loss` and
;; `predictions` (a fresh epoch's seed and zeros, or where a stopped run left them), which then count up
;; and are read back from JavaScript.
;;
;; Rows are `dim` float32s. A row is walked in blocks of four v128 lanes (one pointer bump per block),
;; then single lanes, then a scalar tail when dim is not a multiple of 4; the profile of the first,
;; plain TypeScript kernels spent ~90% of the time in these dot products and axpy updates. No loop
;; reassociates: the scalar reference in test/unit/word2vec-kernel.test.ts repeats every rounding.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; ---- settings (configure) ------------------------------------------------------------------------
  (global $input (mut i32) (i32.const 0))           ;; f32 rows: the word vectors
  (global $output (mut i32) (i32.const 0))          ;; f32 rows: negative sampling's output vectors
  (global $hsOutput (mut i32) (i32.const 0))        ;; f32 rows: hierarchical softmax's inner nodes
  (global $rowBytes (mut i32) (i32.const 0))        ;; dim × 4
  (global $simdBytes (mut i32) (i32.const 0))       ;; (dim rounded down to 4) × 4
  (global $window (mut i32) (i32.const 0))
  (global $negative (mut i32) (i32.const 0))        ;; 0 = no negative sampling
  (global $shareNegatives (mut i32) (i32.const 0))  ;; 1 = one set of negatives per centre word
  (global $hs (mut i32) (i32.const 0))              ;; 1 = hierarchical softmax
  (global $table (mut i32) (i32.const 0))           ;; i32 unigram^0.75 table
  (global $tableSize (mut i32) (i32.const 0))
  (global $sigmoid (mut i32) (i32.const 0))         ;; f32 σ at the left edge of 1000 bins over [-6, 6), then σ(6)
  (global $lossTable (mut i32) (i32.const 0))       ;; f64 −log σ(x) at 1001 points over [-6, 6]
  (global $keep (mut i32) (i32.const 0))            ;; f32 keep probability per word (subsampling)
  (global $pathStart (mut i32) (i32.const 0))       ;; i32 per word + 1: where its Huffman path starts in $paths
  (global $paths (mut i32) (i32.const 0))           ;; i32 (inner node << 1) | code, root first
  (global $gradient (mut i32) (i32.const 0))        ;; f32 scratch row: the input gradient
  (global $hidden (mut i32) (i32.const 0))          ;; f32 scratch row: CBOW's hidden layer
  (global $negatives (mut i32) (i32.const 0))       ;; i32 scratch of `negative` ids

  ;; ---- state -----------------------------------------------------------------------------------------
  ;; word2vec.c's linear congruential generator: next = next × 25214903917 + 11 (mod 2^64)
  (global $random (export "random") (mut i64) (i64.const 0))
  (global $alpha (mut f32) (f32.const 0))
  (global $sentenceLoss (mut f64) (f64.const 0))
  ;; running float64 sum of the loss, and count of (context, centre) predictions
  (global $loss (export "loss") (mut f64) (f64.const 0))
  (global $predictions (export "predictions") (mut f64) (f64.const 0))

  (func (export "configure")
    (param $input i32) (param $output i32) (param $hsOutput i32) (param $dim i32) (param $window i32)
    (param $negative i32) (param $shareNegatives i32) (param $hs i32) (param $table i32) (param $tableSize i32)
    (param $sigmoid i32) (param $lossTable i32) (param $keep i32) (param $pathStart i32) (param $paths i32)
    (param $gradient i32) (param $hidden i32) (param $negatives i32)
    (global.set $input (local.get $input))
    (global.set $output (local.get $output))
    (global.set $hsOutput (local.get $hsOutput))
    (global.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (global.set $simdBytes (i32.shl (i32.and (local.get $dim) (i32.const -4)) (i32.const 2)))
    (global.set $window (local.get $window))
    (global.set $negative (local.get $negative))
    (global.set $shareNegatives (local.get $shareNegatives))
    (global.set $hs (local.get $hs))
    (global.set $table (local.get $table))
    (global.set $tableSize (local.get $tableSize))
    (global.set $sigmoid (local.get $sigmoid))
    (global.set $lossTable (local.get $lossTable))
    (global.set $keep (local.get $keep))
    (global.set $pathStart (local.get $pathStart))
    (global.set $paths (local.get $paths))
    (global.set $gradient (local.get $gradient))
    (global.set $hidden (local.get $hidden))
    (global.set $negatives (local.get $negatives)))

  (func (export "seed") (param $state i64)
    (global.set $random (local.get $state)))

  ;; ---- random draws ----------------------------------------------------------------------------------
  (func $step_random
    (global.set $random (i64.add (i64.mul (global.get $random) (i64.const 25214903917)) (i64.const 11))))

  ;; A uniform draw in [0, bound) from the generator's high 32 bits (a multiply, no division).
  (func $random_below (param $bound i32) (result i32)
    (call $step_random)
    (i32.wrap_i64 (i64.shr_u
      (i64.mul (i64.shr_u (global.get $random) (i64.const 32)) (i64.extend_i32_u (local.get $bound)))
      (i64.const 32))))

  (func $draw_negative (result i32)
    (i32.load (i32.add (global.get $table) (i32.shl (call $random_below (global.get $tableSize)) (i32.const 2)))))

  ;; The reduced window around `position`, clipped to the sentence: word2vec.c's b uniform in [0, window).
  (func $context_window (param $position i32) (param $length i32) (result i32 i32)
    (local $reduced i32) (local $from i32) (local $to i32)
    (local.set $reduced (call $random_below (global.get $window)))
    (local.set $from (i32.add (i32.sub (local.get $position) (global.get $window)) (local.get $reduced)))
    (if (i32.lt_s (local.get $from) (i32.const 0)) (then (local.set $from (i32.const 0))))
    (local.set $to (i32.sub (i32.add (i32.add (local.get $position) (global.get $window)) (i32.const 1)) (local.get $reduced)))
    (if (i32.gt_s (local.get $to) (local.get $length)) (then (local.set $to (local.get $length))))
    (local.get $from) (local.get $to))

  ;; Negatives for one centre word into the scratch list; draws equal to the centre word are dropped, as
  ;; word2vec.c skips them. Returns how many were kept.
  (func $draw_negatives (param $word i32) (result i32)
    (local $d i32) (local $count i32) (local $target i32)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $d) (global.get $negative)))
      (local.set $target (call $draw_negative))
      (if (i32.ne (local.get $target) (local.get $word)) (then
        (i32.store (i32.add (global.get $negatives) (i32.shl (local.get $count) (i32.const 2))) (local.get $target))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (br $next)))
    (local.get $count))

  ;; ---- subsampling -----------------------------------------------------------------------------------
  ;; Drops words by their keep probability, in place; returns the new length.
  (func (export "subsample") (param $sentence i32) (param $length i32) (result i32)
    (local $i i32) (local $kept i32) (local $word i32) (local $probability f32)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $i) (local.get $length)))
      (block $drop
        (local.set $word (i32.load (i32.add (local.get $sentence) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $probability (f32.load (i32.add (global.get $keep) (i32.shl (local.get $word) (i32.const 2)))))
        (if (f32.lt (local.get $probability) (f32.const 1)) (then
          (call $step_random)
          ;; u uniform in [0, 1) from the top 24 bits; keep the word when u < its probability
          (br_if $drop (f32.ge
            (f32.mul (f32.convert_i64_u (i64.shr_u (global.get $random) (i64.const 40))) (f32.const 0x1p-24))
            (local.get $probability)))))
        (i32.store (i32.add (local.get $sentence) (i32.shl (local.get $kept) (i32.const 2))) (local.get $word))
        (local.set $kept (i32.add (local.get $kept) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $kept))

  ;; ---- row operations --------------------------------------------------------------------------------
  ;; row(dst) += row(src)
  (func $add_row (param $dst i32) (param $src i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.and (global.get $simdBytes) (i32.const -64))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store offset=0 (local.get $dst) (f32x4.add (v128.load offset=0 (local.get $dst)) (v128.load offset=0 (local.get $src))))
      (v128.store offset=16 (local.get $dst) (f32x4.add (v128.load offset=16 (local.get $dst)) (v128.load offset=16 (local.get $src))))
      (v128.store offset=32 (local.get $dst) (f32x4.add (v128.load offset=32 (local.get $dst)) (v128.load offset=32 (local.get $src))))
      (v128.store offset=48 (local.get $dst) (f32x4.add (v128.load offset=48 (local.get $dst)) (v128.load offset=48 (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
      (local.set $src (i32.add (local.get $src) (i32.const 64)))
      (br $next)))
    (local.set $end (i32.add (local.get $dst) (i32.and (global.get $simdBytes) (i32.const 63))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $next)))
    (local.set $end (i32.add (local.get $dst) (i32.sub (global.get $rowBytes) (global.get $simdBytes))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br $next))))

  ;; row *= scale
  (func $scale_row (param $row i32) (param $scale f32)
    (local $end i32) (local $splat v128)
    (local.set $splat (f32x4.splat (local.get $scale)))
    (local.set $end (i32.add (local.get $row) (i32.and (global.get $simdBytes) (i32.const -64))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
      (v128.store offset=0 (local.get $row) (f32x4.mul (v128.load offset=0 (local.get $row)) (local.get $splat)))
      (v128.store offset=16 (local.get $row) (f32x4.mul (v128.load offset=16 (local.get $row)) (local.get $splat)))
      (v128.store offset=32 (local.get $row) (f32x4.mul (v128.load offset=32 (local.get $row)) (local.get $splat)))
      (v128.store offset=48 (local.get $row) (f32x4.mul (v128.load offset=48 (local.get $row)) (local.get $splat)))
      (local.set $row (i32.add (local.get $row) (i32.const 64)))
      (br $next)))
    (local.set $end (i32.add (local.get $row) (i32.and (global.get $simdBytes) (i32.const 63))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
      (v128.store (local.get $row) (f32x4.mul (v128.load (local.get $row)) (local.get $splat)))
      (local.set $row (i32.add (local.get $row) (i32.const 16)))
      (br $next)))
    (local.set $end (i32.add (local.get $row) (i32.sub (global.get $rowBytes) (global.get $simdBytes))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
      (f32.store (local.get $row) (f32.mul (f32.load (local.get $row)) (local.get $scale)))
      (local.set $row (i32.add (local.get $row) (i32.const 4)))
      (br $next))))

  ;; row = 0
  (func $zero_row (param $row i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $row) (i32.and (global.get $simdBytes) (i32.const -64))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
      (v128.store offset=0 (local.get $row) (v128.const i32x4 0 0 0 0))
      (v128.store offset=16 (local.get $row) (v128.const i32x4 0 0 0 0))
      (v128.store offset=32 (local.get $row) (v128.const i32x4 0 0 0 0))
      (v128.store offset=48 (local.get $row) (v128.const i32x4 0 0 0 0))
      (local.set $row (i32.add (local.get $row) (i32.const 64)))
      (br $next)))
    (local.set $end (i32.add (local.get $row) (i32.and (global.get $simdBytes) (i32.const 63))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
      (v128.store (local.get $row) (v128.const i32x4 0 0 0 0))
      (local.set $row (i32.add (local.get $row) (i32.const 16)))
      (br $next)))
    (local.set $end (i32.add (local.get $row) (i32.sub (global.get $rowBytes) (global.get $simdBytes))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
      (f32.store (local.get $row) (f32.const 0))
      (local.set $row (i32.add (local.get $row) (i32.const 4)))
      (br $next))))

  ;; ---- one prediction --------------------------------------------------------------------------------
  ;; f = row(in) · row(out); g = (label − σ(f)) × alpha; the loss −log σ(±f) joins $sentenceLoss; then,
  ;; unless g is 0, gradient += g · row(out) and row(out) += g · row(in) in one pass (the gradient uses
  ;; the output row before its update, as word2vec.c does). Beyond ±6, negative sampling takes σ as 0 or
  ;; 1 (word2vec.c's clipping); hierarchical softmax (`skip_outside`) skips the update there, as
  ;; word2vec.c and gensim do. A NaN score makes the loss NaN (the trainer stops the run on it) instead of
  ;; trapping: the table indexes are computed with saturating truncation.
  (func $predict (param $in i32) (param $out i32) (param $label f32) (param $skip_outside i32)
    (local $a i32) (local $b i32) (local $c i32) (local $end i32)
    (local $acc v128) (local $acc2 v128) (local $value v128) (local $splat v128)
    (local $f f32) (local $tail f32) (local $g f32) (local $x f64) (local $p f64) (local $k i32)

    ;; f: blocks of four lanes into two accumulators (halving the add chain), single lanes into the
    ;; first, the scalar tail apart; then ((lane 0 + lane 1) + (lane 2 + lane 3)) + tail
    (local.set $a (local.get $in))
    (local.set $b (local.get $out))
    (local.set $end (i32.add (local.get $a) (i32.and (global.get $simdBytes) (i32.const -64))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=0 (local.get $a)) (v128.load offset=0 (local.get $b)))))
      (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
      (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (br $next)))
    (local.set $end (i32.add (local.get $a) (i32.and (global.get $simdBytes) (i32.const 63))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br $next)))
    (local.set $end (i32.add (local.get $a) (i32.sub (global.get $rowBytes) (global.get $simdBytes))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $tail (f32.add (local.get $tail) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (br $next)))
    (local.set $acc (f32x4.add (local.get $acc) (local.get $acc2)))
    (local.set $f (f32.add
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))
      (local.get $tail)))

    ;; g, from the σ table (index (f + 6) × 1000/12)
    (if (f32.gt (local.get $f) (f32.const 6))
      (then (local.set $g (f32.mul (f32.sub (local.get $label) (f32.const 1)) (global.get $alpha))))
      (else (if (f32.lt (local.get $f) (f32.const -6))
        (then (local.set $g (f32.mul (local.get $label) (global.get $alpha))))
        (else (local.set $g (f32.mul
          (f32.sub (local.get $label)
            (f32.load (i32.add (global.get $sigmoid) (i32.shl
              (i32.trunc_sat_f32_s (f32.mul (f32.add (local.get $f) (f32.const 6)) (f32.const 83.33333587646484375)))
              (i32.const 2)))))
          (global.get $alpha)))))))
    (if (i32.and (local.get $skip_outside) (f32.ge (f32.abs (local.get $f)) (f32.const 6)))
      (then (local.set $g (f32.const 0))))

    ;; the loss at x = ±f: the table interpolated inside (-6, 6); beyond, −x (within 0.0025) or −log σ(6)
    (local.set $x (f64.promote_f32 (local.get $f)))
    (if (f32.eq (local.get $label) (f32.const 0)) (then (local.set $x (f64.neg (local.get $x)))))
    (local.set $p (f64.mul (f64.add (local.get $x) (f64.const 6)) (f64.const 83.33333333333333)))
    (if (f64.le (local.get $p) (f64.const 0))
      (then (global.set $sentenceLoss (f64.sub (global.get $sentenceLoss) (local.get $x))))
      (else (if (f64.ge (local.get $p) (f64.const 1000))
        (then (global.set $sentenceLoss (f64.add (global.get $sentenceLoss) (f64.load offset=8000 (global.get $lossTable)))))
        (else
          (local.set $k (i32.trunc_sat_f64_s (local.get $p)))
          (local.set $a (i32.add (global.get $lossTable) (i32.shl (local.get $k) (i32.const 3))))
          (global.set $sentenceLoss (f64.add
            (f64.add (global.get $sentenceLoss) (f64.load (local.get $a)))
            (f64.mul
              (f64.sub (f64.load offset=8 (local.get $a)) (f64.load (local.get $a)))
              (f64.sub (local.get $p) (f64.convert_i32_s (local.get $k))))))))))

    ;; g = 0 (a clipped or skipped prediction) changes nothing: no row pass
    (if (f32.eq (local.get $g) (f32.const 0)) (then (return)))
    (local.set $splat (f32x4.splat (local.get $g)))
    (local.set $a (local.get $in))
    (local.set $b (local.get $out))
    (local.set $c (global.get $gradient))
    (local.set $end (i32.add (local.get $a) (i32.and (global.get $simdBytes) (i32.const -64))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $value (v128.load offset=0 (local.get $b)))
      (v128.store offset=0 (local.get $c) (f32x4.add (v128.load offset=0 (local.get $c)) (f32x4.mul (local.get $splat) (local.get $value))))
      (v128.store offset=0 (local.get $b) (f32x4.add (local.get $value) (f32x4.mul (local.get $splat) (v128.load offset=0 (local.get $a)))))
      (local.set $value (v128.load offset=16 (local.get $b)))
      (v128.store offset=16 (local.get $c) (f32x4.add (v128.load offset=16 (local.get $c)) (f32x4.mul (local.get $splat) (local.get $value))))
      (v128.store offset=16 (local.get $b) (f32x4.add (local.get $value) (f32x4.mul (local.get $splat) (v128.load offset=16 (local.get $a)))))
      (local.set $value (v128.load offset=32 (local.get $b)))
      (v128.store offset=32 (local.get $c) (f32x4.add (v128.load offset=32 (local.get $c)) (f32x4.mul (local.get $splat) (local.get $value))))
      (v128.store offset=32 (local.get $b) (f32x4.add (local.get $value) (f32x4.mul (local.get $splat) (v128.load offset=32 (local.get $a)))))
      (local.set $value (v128.load offset=48 (local.get $b)))
      (v128.store offset=48 (local.get $c) (f32x4.add (v128.load offset=48 (local.get $c)) (f32x4.mul (local.get $splat) (local.get $value))))
      (v128.store offset=48 (local.get $b) (f32x4.add (local.get $value) (f32x4.mul (local.get $splat) (v128.load offset=48 (local.get $a)))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (local.set $c (i32.add (local.get $c) (i32.const 64)))
      (br $next)))
    (local.set $end (i32.add (local.get $a) (i32.and (global.get $simdBytes) (i32.const 63))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $value (v128.load (local.get $b)))
      (v128.store (local.get $c) (f32x4.add (v128.load (local.get $c)) (f32x4.mul (local.get $splat) (local.get $value))))
      (v128.store (local.get $b) (f32x4.add (local.get $value) (f32x4.mul (local.get $splat) (v128.load (local.get $a)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $next)))
    (local.set $end (i32.add (local.get $a) (i32.sub (global.get $rowBytes) (global.get $simdBytes))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $tail (f32.load (local.get $b)))
      (f32.store (local.get $c) (f32.add (f32.load (local.get $c)) (f32.mul (local.get $g) (local.get $tail))))
      (f32.store (local.get $b) (f32.add (local.get $tail) (f32.mul (local.get $g) (f32.load (local.get $a)))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $next))))

  ;; ---- the two objectives ----------------------------------------------------------------------------
  (func $output_row (param $word i32) (result i32)
    (i32.add (global.get $output) (i32.mul (local.get $word) (global.get $rowBytes))))

  ;; Negative sampling for one input row: the centre word as the positive, then the negatives: the
  ;; scratch list's `count`, or (`fresh`) `negative` new draws, skipping the centre word.
  (func $negative_sampling (param $in i32) (param $word i32) (param $count i32) (param $fresh i32)
    (local $d i32) (local $target i32)
    (call $predict (local.get $in) (call $output_row (local.get $word)) (f32.const 1) (i32.const 0))
    (if (local.get $fresh)
      (then
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $d) (global.get $negative)))
          (local.set $target (call $draw_negative))
          (if (i32.ne (local.get $target) (local.get $word)) (then
            (call $predict (local.get $in) (call $output_row (local.get $target)) (f32.const 0) (i32.const 0))))
          (local.set $d (i32.add (local.get $d) (i32.const 1)))
          (br $next))))
      (else
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $d) (local.get $count)))
          (local.set $target (i32.load (i32.add (global.get $negatives) (i32.shl (local.get $d) (i32.const 2)))))
          (call $predict (local.get $in) (call $output_row (local.get $target)) (f32.const 0) (i32.const 0))
          (local.set $d (i32.add (local.get $d) (i32.const 1)))
          (br $next))))))

  ;; Hierarchical softmax for one input row: one prediction per inner node on the centre word's Huffman
  ;; path, root first, of label 1 − code (word2vec.c's and gensim's `1 - code - f`).
  (func $hierarchical_softmax (param $in i32) (param $word i32)
    (local $at i32) (local $end i32) (local $node i32)
    (local.set $at (i32.add (global.get $pathStart) (i32.shl (local.get $word) (i32.const 2))))
    (local.set $end (i32.add (global.get $paths) (i32.shl (i32.load offset=4 (local.get $at)) (i32.const 2))))
    (local.set $at (i32.add (global.get $paths) (i32.shl (i32.load (local.get $at)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $node (i32.load (local.get $at)))
      (call $predict
        (local.get $in)
        (i32.add (global.get $hsOutput) (i32.mul (i32.shr_u (local.get $node) (i32.const 1)) (global.get $rowBytes)))
        (f32.convert_i32_s (i32.xor (i32.and (local.get $node) (i32.const 1)) (i32.const 1)))
        (i32.const 1))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $next))))

  ;; ---- the kernels -----------------------------------------------------------------------------------
  (func $input_row (param $sentence i32) (param $index i32) (result i32)
    (i32.add (global.get $input)
      (i32.mul (i32.load (i32.add (local.get $sentence) (i32.shl (local.get $index) (i32.const 2)))) (global.get $rowBytes))))

  (func $add_totals (param $pairs i32)
    (global.set $loss (f64.add (global.get $loss) (global.get $sentenceLoss)))
    (global.set $predictions (f64.add (global.get $predictions) (f64.convert_i32_s (local.get $pairs)))))

  ;; Skip-gram: each context word's vector predicts the centre word (word2vec.c's order: hierarchical
  ;; softmax, then negative sampling, then the summed gradient into the context word's vector).
  (func (export "skipgram") (param $sentence i32) (param $length i32) (param $alpha f32)
    (local $position i32) (local $word i32) (local $from i32) (local $to i32) (local $c i32)
    (local $in i32) (local $count i32) (local $pairs i32)
    (global.set $alpha (local.get $alpha))
    (global.set $sentenceLoss (f64.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $position) (local.get $length)))
      (local.set $word (i32.load (i32.add (local.get $sentence) (i32.shl (local.get $position) (i32.const 2)))))
      (call $context_window (local.get $position) (local.get $length))
      (local.set $to)
      (local.set $from)
      (if (global.get $shareNegatives) (then (local.set $count (call $draw_negatives (local.get $word)))))
      (local.set $c (local.get $from))
      (block $contexts (loop $context
        (br_if $contexts (i32.ge_s (local.get $c) (local.get $to)))
        (if (i32.ne (local.get $c) (local.get $position)) (then
          (local.set $in (call $input_row (local.get $sentence) (local.get $c)))
          (call $zero_row (global.get $gradient))
          (if (global.get $hs) (then (call $hierarchical_softmax (local.get $in) (local.get $word))))
          (if (global.get $negative) (then
            (call $negative_sampling (local.get $in) (local.get $word) (local.get $count) (i32.eqz (global.get $shareNegatives)))))
          (call $add_row (local.get $in) (global.get $gradient))
          (local.set $pairs (i32.add (local.get $pairs) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $context)))
      (local.set $position (i32.add (local.get $position) (i32.const 1)))
      (br $next)))
    (call $add_totals (local.get $pairs)))

  ;; CBOW: the mean of the context vectors (cbow_mean = 1) predicts the centre word; the gradient is
  ;; added, unscaled, to every context word's vector.
  (func (export "cbow") (param $sentence i32) (param $length i32) (param $alpha f32)
    (local $position i32) (local $word i32) (local $from i32) (local $to i32) (local $c i32)
    (local $contexts i32) (local $count i32) (local $pairs i32)
    (global.set $alpha (local.get $alpha))
    (global.set $sentenceLoss (f64.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $position) (local.get $length)))
      (block $centre
        (local.set $word (i32.load (i32.add (local.get $sentence) (i32.shl (local.get $position) (i32.const 2)))))
        (call $context_window (local.get $position) (local.get $length))
        (local.set $to)
        (local.set $from)
        (call $zero_row (global.get $hidden))
        (local.set $contexts (i32.const 0))
        (local.set $c (local.get $from))
        (block $summed (loop $sum
          (br_if $summed (i32.ge_s (local.get $c) (local.get $to)))
          (if (i32.ne (local.get $c) (local.get $position)) (then
            (call $add_row (global.get $hidden) (call $input_row (local.get $sentence) (local.get $c)))
            (local.set $contexts (i32.add (local.get $contexts) (i32.const 1)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $sum)))
        (br_if $centre (i32.eqz (local.get $contexts)))
        (call $scale_row (global.get $hidden) (f32.div (f32.const 1) (f32.convert_i32_s (local.get $contexts))))
        (call $zero_row (global.get $gradient))
        (if (global.get $hs) (then (call $hierarchical_softmax (global.get $hidden) (local.get $word))))
        (if (global.get $negative) (then
          (local.set $count (call $draw_negatives (local.get $word)))
          (call $negative_sampling (global.get $hidden) (local.get $word) (local.get $count) (i32.const 0))))
        (local.set $c (local.get $from))
        (block $spread (loop $spread_next
          (br_if $spread (i32.ge_s (local.get $c) (local.get $to)))
          (if (i32.ne (local.get $c) (local.get $position)) (then
            (call $add_row (call $input_row (local.get $sentence) (local.get $c)) (global.get $gradient))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $spread_next)))
        (local.set $pairs (i32.add (local.get $pairs) (i32.const 1))))
      (local.set $position (i32.add (local.get $position) (i32.const 1)))
      (br $next)))
    (call $add_totals (local.get $pairs))))
