/*
 * cfg: reads a YAML or JSON config into a tree of maps, lists and scalars,
 * each node remembering the file, line and column it came from (1-based).
 * YAML goes through libyaml's event parser; this file builds the tree from
 * the events, resolves anchors and aliases, and rejects duplicate keys.
 * JSON files are first checked strictly by cJSON (YAML would accept things
 * JSON does not, such as comments or unquoted strings), then read by the same
 * libyaml path, since valid JSON is a YAML flow document.  Nothing here knows
 * what a dataset is; model.c gives the tree its meaning.
 */
#include "cfg.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "arena.h"
#include "strbuf.h"

#define CFG_MAX_DEPTH 256

struct anchor {
	const char *name;
	struct cfg_node *node;
};

struct loader {
	yaml_parser_t parser;
	const char *file;
	const char *text;
	size_t len;
	struct arena *arena;
	struct diags *diags;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	bool failed;
};

const char *cfg_kind_name(enum cfg_kind k)
{
	switch (k) {
	case CFG_SCALAR: return "a scalar";
	case CFG_MAP: return "a map";
	case CFG_SEQ: return "a list";
	}
	return "a node";
}

const struct cfg_node *cfg_get(const struct cfg_node *map, const char *key)
{
	if (!map || map->kind != CFG_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

const struct src_loc *cfg_key_loc(const struct cfg_node *map, const char *key)
{
	if (!map || map->kind != CFG_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return &map->key_locs[i];
	return NULL;
}

/* Location of byte `offset` of `text`: line and column count characters, as libyaml does. */
static struct src_loc loc_at_offset(const char *file, const char *text, size_t len, size_t offset)
{
	struct src_loc loc = {file, 1, 1};
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			loc.line++;
			loc.col = 1;
		} else if ((c & 0xC0) != 0x80 && !(i == 0 && c == 0xEF)) {
			loc.col++;
		}
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 && loc.line == 1 && loc.col > 1)
		loc.col--; /* a byte-order mark is not a column */
	return loc;
}

static struct src_loc mark_loc(const struct loader *ld, yaml_mark_t m)
{
	struct src_loc loc = {ld->file, (int)m.line + 1, (int)m.column + 1};
	return loc;
}

/*
 * Where the characters of a scalar start: one past the quote for quoted
 * scalars; for block scalars ('|', '>') the first non-blank character after
 * the header line.  Plain scalars start at their mark.
 */
static struct src_loc text_start(const struct loader *ld, const yaml_event_t *ev)
{
	struct src_loc loc = mark_loc(ld, ev->start_mark);
	size_t i = ev->start_mark.index;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		loc.col++;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		while (i < ld->len && ld->text[i] != '\n')
			i++;
		if (i < ld->len) {
			i++;
			loc.line++;
			loc.col = 1;
			while (i < ld->len && ld->text[i] == ' ') {
				i++;
				loc.col++;
			}
		}
		break;
	default:
		break;
	}
	return loc;
}

static void yaml_problem(struct loader *ld)
{
	yaml_parser_t *p = &ld->parser;
	struct src_loc loc;
	struct strbuf msg = STRBUF_INIT;

	if (p->error == YAML_READER_ERROR) {
		loc = loc_at_offset(ld->file, ld->text, ld->len, p->problem_offset);
		strbuf_addf(&msg, "invalid YAML: %s", p->problem ? p->problem : "unreadable input");
		if (p->problem_value != -1)
			strbuf_addf(&msg, " (byte 0x%02x)", (unsigned)p->problem_value & 0xffu);
	} else if (p->error == YAML_MEMORY_ERROR) {
		loc = (struct src_loc){ld->file, 0, 0};
		strbuf_addstr(&msg, "out of memory while reading YAML");
	} else {
		loc = mark_loc(ld, p->problem_mark);
		strbuf_addf(&msg, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
		if (p->context) {
			strbuf_addf(&msg, " (%s", p->context);
			if (p->context_mark.line != p->problem_mark.line ||
			    p->context_mark.column != p->problem_mark.column)
				strbuf_addf(&msg, " at line %d, column %d", (int)p->context_mark.line + 1,
					    (int)p->context_mark.column + 1);
			strbuf_addch(&msg, ')');
		}
	}
	diag_error(ld->diags, &loc, "%s", msg.buf);
	strbuf_release(&msg);
	ld->failed = true;
}

static int next_event(struct loader *ld, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ld->parser, ev)) {
		yaml_problem(ld);
		return -1;
	}
	return 0;
}

static void add_anchor(struct loader *ld, const yaml_char_t *name, struct cfg_node *node)
{
	if (!name)
		return;
	/* a later anchor with the same name replaces the earlier one (YAML 1.2) */
	for (size_t i = 0; i < ld->n_anchors; i++)
		if (strcmp(ld->anchors[i].name, (const char *)name) == 0) {
			ld->anchors[i].node = node;
			return;
		}
	ld->anchors = arena_grow_array(ld->arena, ld->anchors, sizeof(*ld->anchors),
				       &ld->cap_anchors, ld->n_anchors + 1);
	ld->anchors[ld->n_anchors].name = arena_strdup(ld->arena, (const char *)name);
	ld->anchors[ld->n_anchors].node = node;
	ld->n_anchors++;
}

static int parse_node(struct cfg_node **out, struct loader *ld, yaml_event_t *ev, int depth);

struct key_ref {
	const char *key;
	size_t index;
};

static int cmp_key_ref(const void *pa, const void *pb)
{
	const struct key_ref *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->index < b->index ? -1 : (a->index > b->index);
}

/* Duplicate keys are errors, reported at the later occurrence. */
static void check_duplicates(struct loader *ld, const struct cfg_node *map)
{
	struct key_ref *refs;
	if (map->n < 2)
		return;
	refs = malloc(map->n * sizeof(*refs));
	if (!refs)
		abort();
	for (size_t i = 0; i < map->n; i++) {
		refs[i].key = map->keys[i];
		refs[i].index = i;
	}
	qsort(refs, map->n, sizeof(*refs), cmp_key_ref);
	for (size_t i = 1; i < map->n; i++) {
		size_t j = i;
		if (strcmp(refs[i].key, refs[i - 1].key) != 0)
			continue;
		while (j > 0 && strcmp(refs[j - 1].key, refs[i].key) == 0)
			j--;
		diag_error(ld->diags, &map->key_locs[refs[i].index],
			   "duplicate key '%s' (first defined at line %d)", refs[i].key,
			   map->key_locs[refs[j].index].line);
		ld->failed = true;
	}
	free(refs);
}

static int parse_mapping(struct cfg_node *node, struct loader *ld, int depth)
{
	size_t cap = 0;
	for (;;) {
		yaml_event_t ev;
		struct cfg_node *key = NULL, *val = NULL;
		int rc;

		if (next_event(ld, &ev))
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		rc = parse_node(&key, ld, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (rc)
			return -1;
		if (next_event(ld, &ev))
			return -1;
		rc = parse_node(&val, ld, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (rc)
			return -1;
		if (key->kind != CFG_SCALAR) {
			diag_error(ld->diags, &key->loc, "a map key must be a plain name, not %s",
				   cfg_kind_name(key->kind));
			ld->failed = true;
			continue;
		}
		if (!key->quoted && strcmp(key->scalar, "<<") == 0) {
			diag_error(ld->diags, &key->loc,
				   "merge keys ('<<') are not supported (use an alias as the whole value)");
			ld->failed = true;
			continue;
		}
		if (node->n == cap) {
			size_t c = cap;
			node->keys = arena_grow_array(ld->arena, node->keys, sizeof(*node->keys), &c,
						      node->n + 1);
			c = cap;
			node->key_locs = arena_grow_array(ld->arena, node->key_locs,
							  sizeof(*node->key_locs), &c, node->n + 1);
			node->items = arena_grow_array(ld->arena, node->items, sizeof(*node->items),
						       &cap, node->n + 1);
		}
		node->keys[node->n] = key->scalar;
		node->key_locs[node->n] = key->loc;
		node->items[node->n] = val;
		node->n++;
	}
	check_duplicates(ld, node);
	return 0;
}

static int parse_sequence(struct cfg_node *node, struct loader *ld, int depth)
{
	size_t cap = 0;
	for (;;) {
		yaml_event_t ev;
		struct cfg_node *item = NULL;
		int rc;

		if (next_event(ld, &ev))
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		rc = parse_node(&item, ld, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (rc)
			return -1;
		node->items = arena_grow_array(ld->arena, node->items, sizeof(*node->items), &cap,
					       node->n + 1);
		node->items[node->n++] = item;
	}
	return 0;
}

/* Builds the node that starts with event `ev` (which the caller deletes). */
static int parse_node(struct cfg_node **out, struct loader *ld, yaml_event_t *ev, int depth)
{
	struct cfg_node *node;

	if (depth > CFG_MAX_DEPTH) {
		struct src_loc loc = mark_loc(ld, ev->start_mark);
		diag_error(ld->diags, &loc, "nesting is deeper than %d levels", CFG_MAX_DEPTH);
		ld->failed = true;
		return -1;
	}
	if (ev->type == YAML_ALIAS_EVENT) {
		const char *name = (const char *)ev->data.alias.anchor;
		for (size_t i = ld->n_anchors; i-- > 0;)
			if (strcmp(ld->anchors[i].name, name) == 0) {
				*out = ld->anchors[i].node;
				return 0;
			}
		{
			struct src_loc loc = mark_loc(ld, ev->start_mark);
			diag_error(ld->diags, &loc, "unknown anchor '%s' (an alias must follow its '&%s')",
				   name, name);
		}
		ld->failed = true;
		return -1;
	}

	node = arena_alloc(ld->arena, sizeof(*node));
	node->loc = mark_loc(ld, ev->start_mark);
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		const char *tag = (const char *)ev->data.scalar.tag;
		node->kind = CFG_SCALAR;
		node->scalar = arena_strndup(ld->arena, (const char *)ev->data.scalar.value,
					     ev->data.scalar.length);
		node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
			       ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
		if (tag && strcmp(tag, YAML_STR_TAG) == 0)
			node->quoted = true; /* !!str 123 is the string "123" */
		node->text_loc = text_start(ld, ev);
		add_anchor(ld, ev->data.scalar.anchor, node);
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
		node->kind = CFG_SEQ;
		if (parse_sequence(node, ld, depth))
			return -1;
		/* registered when complete, so a node cannot contain itself */
		add_anchor(ld, ev->data.sequence_start.anchor, node);
		break;
	case YAML_MAPPING_START_EVENT:
		node->kind = CFG_MAP;
		if (parse_mapping(node, ld, depth))
			return -1;
		add_anchor(ld, ev->data.mapping_start.anchor, node);
		break;
	default:
		diag_error(ld->diags, &node->loc, "invalid YAML: unexpected event");
		ld->failed = true;
		return -1;
	}
	*out = node;
	return 0;
}

static int load_yaml(struct cfg_node **out, struct loader *ld)
{
	yaml_event_t ev;
	int documents = 0;
	int rc = -1;

	yaml_parser_initialize(&ld->parser);
	yaml_parser_set_input_string(&ld->parser, (const unsigned char *)ld->text, ld->len);
	for (;;) {
		if (next_event(ld, &ev))
			goto done;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			struct src_loc loc = mark_loc(ld, ev.start_mark);
			yaml_event_delete(&ev);
			if (++documents > 1) {
				diag_error(ld->diags, &loc,
					   "a config holds one document; found a second one ('---')");
				goto done;
			}
			if (next_event(ld, &ev))
				goto done;
			if (parse_node(out, ld, &ev, 0)) {
				yaml_event_delete(&ev);
				goto done;
			}
			yaml_event_delete(&ev);
			continue;
		}
		yaml_event_delete(&ev); /* stream start, document end */
	}
	if (!documents) {
		struct src_loc loc = {ld->file, 1, 1};
		diag_error(ld->diags, &loc, "the config is empty");
		goto done;
	}
	rc = ld->failed ? -1 : 0;
done:
	yaml_parser_delete(&ld->parser);
	return rc;
}

/*
 * Strict JSON syntax check with cJSON; on failure one "invalid JSON" error
 * at the place cJSON stopped.
 */
static int check_json(struct loader *ld)
{
	const char *text = ld->text;
	size_t len = ld->len, skip = 0;
	const char *end = NULL;
	cJSON *doc;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	doc = cJSON_ParseWithLengthOpts(text + skip, len - skip, &end, false);
	if (doc) {
		size_t i = (size_t)(end - text);
		cJSON_Delete(doc);
		while (i < len && strchr(" \t\r\n", text[i]))
			i++;
		if (i < len && text[i] != '\0') {
			struct src_loc loc = loc_at_offset(ld->file, text, len, i);
			return diag_error(ld->diags, &loc,
					  "invalid JSON: unexpected '%c' after the top-level value",
					  text[i]);
		}
		return 0;
	}
	{
		const char *ep = end ? end : cJSON_GetErrorPtr();
		size_t off = ep && ep >= text && ep <= text + len ? (size_t)(ep - text) : len;
		struct src_loc loc = loc_at_offset(ld->file, text, len, off);
		while (off < len && strchr(" \t\r\n", text[off]))
			off++;
		if (off >= len || text[off] == '\0')
			return diag_error(ld->diags, &loc, "invalid JSON: unexpected end of file");
		if ((unsigned char)text[off] >= 0x20 && (unsigned char)text[off] < 0x7f)
			return diag_error(ld->diags, &loc, "invalid JSON near '%c'", text[off]);
		return diag_error(ld->diags, &loc, "invalid JSON");
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void loader_init(struct loader *ld, const char *display_name, const char *text, size_t len,
			struct arena *arena, struct diags *diags)
{
	memset(ld, 0, sizeof(*ld));
	ld->file = arena_strdup(arena, display_name);
	ld->text = text;
	ld->len = len;
	ld->arena = arena;
	ld->diags = diags;
}

int cfg_load_json(struct cfg_node **out, const char *display_name, const char *text, size_t len,
		  struct arena *arena, struct diags *diags)
{
	struct loader ld;
	char *copy;
	bool in_str = false;
	int rc;

	*out = NULL;
	loader_init(&ld, display_name, text, len, arena, diags);
	if (check_json(&ld))
		return -1;
	/*
	 * Valid JSON is a YAML flow document, except that YAML does not allow
	 * tabs where a block could start.  Tabs outside strings become spaces:
	 * same columns, same meaning.
	 */
	copy = arena_strndup(arena, text, len);
	for (size_t i = 0; i < len; i++) {
		if (in_str) {
			if (copy[i] == '\\')
				i++;
			else if (copy[i] == '"')
				in_str = false;
		} else if (copy[i] == '"') {
			in_str = true;
		} else if (copy[i] == '\t') {
			copy[i] = ' ';
		}
	}
	ld.text = copy;
	rc = load_yaml(out, &ld);
	if (rc)
		*out = NULL;
	return rc;
}

int cfg_load(struct cfg_node **out, const char *display_name, const char *text, size_t len,
	     struct arena *arena, struct diags *diags)
{
	struct loader ld;
	int rc;

	if (ends_with(display_name, ".json"))
		return cfg_load_json(out, display_name, text, len, arena, diags);
	*out = NULL;
	loader_init(&ld, display_name, text, len, arena, diags);
	rc = load_yaml(out, &ld);
	if (rc)
		*out = NULL;
	return rc;
}

int cfg_load_file(struct cfg_node **out, const char *path, struct arena *arena,
		  struct diags *diags)
{
	FILE *f;
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	int rc = -1;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return diag_error(diags, NULL, "cannot read '%s': %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	if (ferror(f)) {
		diag_error(diags, NULL, "cannot read '%s': %s", path, strerror(errno));
		goto done;
	}
	rc = cfg_load(out, path, arena_strndup(arena, sb.buf, sb.len), sb.len, arena, diags);
done:
	fclose(f);
	strbuf_release(&sb);
	return rc;
}
