/*
 * cfg: the raw config tree, as read from YAML (libyaml) or JSON (cJSON for
 * strict syntax checking, then the same positioned tree).  It knows nothing
 * about datasets: maps, sequences and scalars, each with the file, line and
 * column it came from.  model_build() turns it into a typed dataset.
 */
#ifndef INGEN_CFG_H
#define INGEN_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct arena;

enum cfg_kind { CFG_SCALAR, CFG_MAP, CFG_SEQ };

struct cfg_node {
	enum cfg_kind kind;
	struct src_loc loc;
	/* CFG_SCALAR */
	const char *scalar;
	bool quoted;      /* written quoted ('x', "x", block scalar): always a string */
	struct src_loc text_loc; /* where scalar[0] is (after the quote, or the first line of a block scalar) */
	/* CFG_MAP: keys[i] -> items[i]; CFG_SEQ: items[i] */
	size_t n;
	const char **keys;
	struct src_loc *key_locs;
	struct cfg_node **items;
};

/*
 * Loads `path` (YAML, or JSON when it ends in .json) into a tree.  `text`
 * may be given (embedded files); otherwise the file is read.  `display_name`
 * is what locations print (the path as the user typed it, or
 * "<builtin>/retail_oltp_small.yaml").  Returns 0, or -1 with diagnostics
 * (syntax errors carry line and column).  Duplicate keys in one map are
 * errors.  Anchors and aliases are resolved; merge keys are not supported.
 */
int cfg_load(struct cfg_node **out, const char *display_name, const char *text, size_t len,
	     struct arena *arena, struct diags *diags);
int cfg_load_file(struct cfg_node **out, const char *path, struct arena *arena,
		  struct diags *diags);
/* The same for JSON text whatever its name (e.g. "<custom-schema>"). */
int cfg_load_json(struct cfg_node **out, const char *display_name, const char *text, size_t len,
		  struct arena *arena, struct diags *diags);

/* Map lookup; NULL when absent or when `map` is not a map. */
const struct cfg_node *cfg_get(const struct cfg_node *map, const char *key);
/* Location of `key` in `map` (the key itself); NULL when absent. */
const struct src_loc *cfg_key_loc(const struct cfg_node *map, const char *key);
/* "a scalar", "a map", "a list": for messages. */
const char *cfg_kind_name(enum cfg_kind k);

#endif
