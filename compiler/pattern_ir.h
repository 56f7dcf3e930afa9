/*
 * pattern_ir: a read-only view of a compiled pattern's unrolled tree, for the
 * notebook emitters (numpy, Spark SQL) that must produce the same strings as
 * pattern_generate(), and the unique-column permutation
 * (docs/generation.md, "## pattern", defines both).
 *
 * The tree is owned by the pattern (its arena); nothing here allocates.
 */
#ifndef INGEN_PATTERN_IR_H
#define INGEN_PATTERN_IR_H

#include <stddef.h>
#include <stdint.h>

#include "pattern.h"

enum pattern_node_kind {
	PATTERN_NODE_LITERAL, /* emits `text` */
	PATTERN_NODE_CLASS,   /* emits text[floor(u_k * len)] */
	PATTERN_NODE_ALT,     /* emits children[floor(u_k * n_children)] */
	PATTERN_NODE_REPEAT,  /* c = min + floor(u_k * (max - min + 1)); emits children[0..c-1] */
	PATTERN_NODE_SEQ,     /* emits every child in order */
};

struct pattern_node {
	enum pattern_node_kind kind;
	/* Draw index k (1-based) of CLASS, ALT and REPEAT nodes; 0 for LITERAL and SEQ. */
	int draw;
	/*
	 * LITERAL: the bytes to emit (may be empty).  CLASS: the characters that
	 * can be picked, strictly ascending, at least 2.  NUL-terminated; never
	 * contains NUL; only ASCII 0x01-0x7F.
	 */
	const char *text;
	size_t len;
	/* REPEAT: the count range, 0 <= min < max; children holds max copies. */
	int min, max;
	/* ALT: the branches (>= 2); REPEAT: the max copies; SEQ: the parts (>= 2). */
	const struct pattern_node *const *children;
	size_t n_children;
	/* Number of derivations (the size of the node's canonical order), saturating at UINT64_MAX. */
	uint64_t count;
	/* Longest string the node can emit, in bytes. */
	size_t max_len;
};

/* The root of the unrolled tree (never NULL). */
const struct pattern_node *pattern_root(const struct pattern *p);
/* The pattern source as written in the config. */
const char *pattern_source(const struct pattern *p);

/*
 * The unique-column permutation perm(r) = (a * r + b) mod n on [0, n), with
 * n = min(pattern_cardinality(p), 2^63 - 1), all three < 2^63 so that they
 * fit a BIGINT literal.  n >= 1.
 */
struct pattern_perm {
	uint64_t n, a, b;
};
void pattern_unique_perm(struct pattern_perm *out, const struct pattern *p, int64_t column_seed);

/*
 * The canonical index (for pattern_unrank) of row `row` of a unique column:
 * perm(row mod n).  Distinct rows below n get distinct indices.
 */
uint64_t pattern_unique_index(const struct pattern *p, int64_t column_seed, uint64_t row);

#endif
