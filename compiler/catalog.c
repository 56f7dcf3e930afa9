/*
 * catalog: the list of datasets a command can name.  The built-in ones come
 * from the files embedded at build time (datasets/<id>.yaml, not the
 * reference data under datasets/reference/); INGEN_FAB_DATASETS and
 * --datasets-dir add folders whose files override built-ins with the same
 * id.  Entries hold only text: a dataset is parsed and validated when a
 * command loads it, so one broken file does not break the whole catalogue.
 */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "embedded.h"
#include "model.h"
#include "strbuf.h"

static const char *const dataset_exts[] = {".yaml", ".yml", ".json"};

/* Length of `name` without a dataset extension, or 0 when it has none. */
static size_t stem_length(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(dataset_exts) / sizeof(dataset_exts[0]); i++) {
		size_t m = strlen(dataset_exts[i]);
		if (n > m && strcmp(name + n - m, dataset_exts[i]) == 0)
			return n - m;
	}
	return 0;
}

struct builder {
	struct catalog *c;
	size_t cap;
};

static void put(struct builder *b, const char *id, const char *display, const char *text,
		size_t len, bool builtin)
{
	struct catalog *c = b->c;
	struct catalog_entry *e = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].id, id) == 0)
			e = &c->items[i]; /* a later folder overrides */
	if (!e) {
		c->items = arena_grow_array(c->arena, c->items, sizeof(*c->items), &b->cap, c->n + 1);
		e = &c->items[c->n++];
	}
	e->id = id;
	e->display_path = display;
	e->text = text;
	e->len = len;
	e->builtin = builtin;
}

static int cmp_name(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static int cmp_entry(const void *pa, const void *pb)
{
	return strcmp(((const struct catalog_entry *)pa)->id, ((const struct catalog_entry *)pb)->id);
}

static int read_file(struct arena *arena, const char *path, const char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	int rc = 0;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	if (ferror(f))
		rc = -1;
	fclose(f);
	*text = arena_strndup(arena, sb.buf, sb.len);
	*len = sb.len;
	strbuf_release(&sb);
	return rc;
}

static int add_folder(struct builder *b, const char *dir, struct diags *diags)
{
	struct catalog *c = b->c;
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d)
		return diag_error(diags, NULL, "cannot read datasets folder '%s': %s", dir,
				  strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !stem_length(de->d_name))
			continue;
		if (n == cap) {
			char **p;
			cap = cap ? cap * 2 : 16;
			p = realloc(names, cap * sizeof(*names));
			if (!p)
				abort();
			names = p;
		}
		names[n++] = arena_strdup(c->arena, de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT;
		const char *text;
		size_t len;
		strbuf_addstr(&path, dir);
		if (path.len && path.buf[path.len - 1] != '/')
			strbuf_addch(&path, '/');
		strbuf_addstr(&path, names[i]);
		if (read_file(c->arena, path.buf, &text, &len)) {
			rc = diag_error(diags, NULL, "cannot read '%s': %s", path.buf, strerror(errno));
		} else {
			put(b, arena_strndup(c->arena, names[i], stem_length(names[i])),
			    arena_strdup(c->arena, path.buf), text, len, false);
		}
		strbuf_release(&path);
	}
	free(names);
	return rc;
}

int catalog_init(struct catalog *c, const char *const *dirs, size_t n_dirs, struct diags *diags)
{
	struct builder b = {c, 0};
	const char *env = getenv("INGEN_FAB_DATASETS");
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->arena = calloc(1, sizeof(*c->arena));
	if (!c->arena)
		abort();
	arena_init(c->arena);

	for (size_t i = 0; i < embedded_files_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		const char *name;
		size_t stem;
		struct strbuf display = STRBUF_INIT;
		if (strncmp(f->path, "datasets/", 9) != 0)
			continue;
		name = f->path + 9;
		if (strchr(name, '/') || !(stem = stem_length(name)))
			continue; /* reference data and other subfolders */
		strbuf_addf(&display, "<builtin>/%s", f->path);
		put(&b, arena_strndup(c->arena, name, stem), arena_strdup(c->arena, display.buf),
		    f->data, f->len, true);
		strbuf_release(&display);
	}
	if (env && *env) {
		char *list = arena_strdup(c->arena, env);
		char *p = list;
		while (p) {
			char *colon = strchr(p, ':');
			if (colon)
				*colon = 0;
			if (*p && add_folder(&b, p, diags))
				rc = -1;
			p = colon ? colon + 1 : NULL;
		}
	}
	for (size_t i = 0; i < n_dirs; i++)
		if (add_folder(&b, dirs[i], diags))
			rc = -1;
	if (c->n)
		qsort(c->items, c->n, sizeof(*c->items), cmp_entry);
	return rc;
}

void catalog_release(struct catalog *c)
{
	if (c->arena) {
		arena_release(c->arena);
		free(c->arena);
	}
	memset(c, 0, sizeof(*c));
}

const struct catalog_entry *catalog_find(const struct catalog *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].id, id) == 0)
			return &c->items[i];
	return NULL;
}

static bool is_path(const char *s)
{
	return strchr(s, '/') || stem_length(s);
}

int catalog_load_dataset(struct dataset **out, const struct catalog *c, const char *id_or_path,
			 struct arena *arena, struct diags *diags)
{
	const struct catalog_entry *e;
	struct cfg_node *root = NULL;
	const struct cfg_node *idn;
	int rc;

	*out = NULL;
	if (is_path(id_or_path)) {
		if (cfg_load_file(&root, id_or_path, arena, diags))
			return -1;
		return model_build(out, root, arena, diags);
	}
	e = catalog_find(c, id_or_path);
	if (!e) {
		const char **ids = calloc(c->n ? c->n : 1, sizeof(*ids));
		const char *best;
		if (!ids)
			abort();
		for (size_t i = 0; i < c->n; i++)
			ids[i] = c->items[i].id;
		best = diag_closest(id_or_path, ids, c->n);
		if (best)
			diag_error(diags, NULL, "unknown dataset '%s' (did you mean '%s'?)", id_or_path,
				   best);
		else
			diag_error(diags, NULL,
				   "unknown dataset '%s' (see 'ingen_fab package synthetic-data list-datasets')",
				   id_or_path);
		free(ids);
		return -1;
	}
	if (cfg_load(&root, e->display_path, e->text, e->len, arena, diags))
		return -1;
	rc = model_build(out, root, arena, diags);
	idn = cfg_get(root, "dataset_id");
	if (idn && idn->kind == CFG_SCALAR && strcmp(idn->scalar, e->id) != 0) {
		const char *base = strrchr(e->display_path, '/');
		diag_error(diags, &idn->loc,
			   "dataset_id '%s' does not match the file name '%s' (they must be equal)",
			   idn->scalar, base ? base + 1 : e->display_path);
		*out = NULL;
		rc = -1;
	}
	return rc;
}
