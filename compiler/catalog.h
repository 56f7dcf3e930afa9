/*
 * catalog: where datasets come from.  The built-in datasets are embedded in
 * the binary (datasets/<id>.yaml); folders given with --datasets-dir and the
 * path list in INGEN_FAB_DATASETS (colon separated) add to them, later ones
 * overriding earlier ones with the same dataset_id.  Any command that takes
 * a dataset accepts an id from the catalogue or a path to a .yaml/.yml/.json
 * file.
 */
#ifndef INGEN_CATALOG_H
#define INGEN_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct arena;
struct dataset;

struct catalog_entry {
	const char *id;           /* file name without extension */
	const char *display_path; /* "<builtin>/datasets/x.yaml" or the file's path */
	const char *text;         /* file contents (embedded, or read) */
	size_t len;
	bool builtin;
};

struct catalog {
	struct catalog_entry *items; /* sorted by id */
	size_t n;
	struct arena *arena;         /* owns everything above */
};

/*
 * Builds the catalogue: the embedded datasets, then each folder of
 * INGEN_FAB_DATASETS, then each of `dirs`.  A folder that does not exist or
 * cannot be read is an error.  Returns 0 or -1 with diagnostics.
 */
int catalog_init(struct catalog *c, const char *const *dirs, size_t n_dirs, struct diags *diags);
void catalog_release(struct catalog *c);

const struct catalog_entry *catalog_find(const struct catalog *c, const char *id);

/*
 * Loads and validates one dataset, given an id in the catalogue or a path to
 * a YAML/JSON file.  An unknown id gets a "did you mean" hint.  Returns 0 and
 * *out, or -1 with diagnostics.  Memory comes from `arena`.
 */
int catalog_load_dataset(struct dataset **out, const struct catalog *c, const char *id_or_path,
			 struct arena *arena, struct diags *diags);

#endif
