/*
 * kernel_clones: the KERNEL attribute of the evaluator's batch loops
 * (eval_ops.c), and HAVE_KERNEL_CLONES for code that picks its own AVX-512
 * variant (vmath.c).  A KERNEL function is compiled twice, for any x86-64 and
 * for x86-64-v4, and the loader picks one for the CPU.  AVX-512DQ converts
 * between int64 and double eight lanes at a time (SSE2 has no such
 * instruction), which makes the draws (hash to unit double to integer range)
 * several times faster.  The values are the same: every lane does the scalar
 * IEEE operation, and nothing is contracted into an FMA (-ffp-contract=off;
 * an fma() written out is exact either way).  INGEN_NO_KERNEL_CLONES (the
 * sanitizer build) keeps the portable code only, so the test suites run both
 * kinds.  Needs GCC and glibc's ifunc; elsewhere KERNEL is empty.
 */
#ifndef INGEN_KERNEL_CLONES_H
#define INGEN_KERNEL_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(INGEN_NO_KERNEL_CLONES)
#define HAVE_KERNEL_CLONES 1
#define KERNEL __attribute__((target_clones("default", "arch=x86-64-v4")))
#else
#define HAVE_KERNEL_CLONES 0
#define KERNEL
#endif

#endif
