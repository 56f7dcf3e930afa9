/*
 * Unit tests for compiler/cfg.c: the positioned config tree from YAML and
 * JSON, duplicate keys, anchors, and the exact text and place of syntax
 * errors.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "harness.h"
#include "strbuf.h"

struct loaded {
	struct arena arena;
	struct diags diags;
	struct cfg_node *root;
	int rc;
	char *all; /* every diagnostic, one per line */
};

static void load(struct loaded *l, const char *name, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	arena_init(&l->arena);
	diags_init(&l->diags);
	l->rc = cfg_load(&l->root, name, text, strlen(text), &l->arena, &l->diags);
	for (size_t i = 0; i < l->diags.n; i++) {
		diag_format(&sb, &l->diags.items[i]);
		strbuf_addch(&sb, '\n');
	}
	l->all = strbuf_detach(&sb, NULL);
}

static void unload(struct loaded *l)
{
	free(l->all);
	diags_release(&l->diags);
	arena_release(&l->arena);
}

static void test_cfg__yaml_positions(void)
{
	struct loaded l;
	const struct cfg_node *t, *n;
	load(&l, "a.yaml",
	     "dataset_id: shop\n"
	     "tables:\n"
	     "  orders:\n"
	     "    rows: 'target_rows / 2'\n"
	     "    cols: [a, \"b\"]\n");
	CHECK_INT_EQ(0, l.rc);
	CHECK_STR_EQ("", l.all);
	CHECK(l.root && l.root->kind == CFG_MAP);
	CHECK_INT_EQ(2, l.root->n);
	CHECK_STR_EQ("dataset_id", l.root->keys[0]);
	CHECK_INT_EQ(1, l.root->key_locs[0].line);
	CHECK_INT_EQ(1, l.root->key_locs[0].col);
	n = cfg_get(l.root, "dataset_id");
	CHECK_STR_EQ("shop", n->scalar);
	CHECK(!n->quoted);
	CHECK_INT_EQ(13, n->loc.col);
	CHECK_STR_EQ("a.yaml", n->loc.file);
	t = cfg_get(cfg_get(l.root, "tables"), "orders");
	CHECK(t && t->kind == CFG_MAP);
	CHECK_INT_EQ(3, cfg_key_loc(cfg_get(l.root, "tables"), "orders")->line);
	CHECK_INT_EQ(3, cfg_key_loc(cfg_get(l.root, "tables"), "orders")->col);
	n = cfg_get(t, "rows");
	CHECK(n->quoted);
	CHECK_STR_EQ("target_rows / 2", n->scalar);
	CHECK_INT_EQ(4, n->loc.line);
	CHECK_INT_EQ(11, n->loc.col);      /* the quote */
	CHECK_INT_EQ(12, n->text_loc.col); /* the first character inside */
	n = cfg_get(t, "cols");
	CHECK(n->kind == CFG_SEQ);
	CHECK_INT_EQ(2, n->n);
	CHECK(!n->items[0]->quoted);
	CHECK(n->items[1]->quoted);
	CHECK_INT_EQ(15, n->items[1]->loc.col);
	CHECK(cfg_get(t, "missing") == NULL);
	CHECK(cfg_get(n, "a") == NULL); /* not a map */
	unload(&l);
}

static void test_cfg__block_scalar_text_loc(void)
{
	struct loaded l;
	const struct cfg_node *n;
	load(&l, "b.yaml", "expr: |\n    a +\n    b\n");
	CHECK_INT_EQ(0, l.rc);
	n = cfg_get(l.root, "expr");
	CHECK(n->quoted);
	CHECK_STR_EQ("a +\nb\n", n->scalar);
	CHECK_INT_EQ(2, n->text_loc.line);
	CHECK_INT_EQ(5, n->text_loc.col);
	unload(&l);
}

static void test_cfg__duplicate_keys(void)
{
	struct loaded l;
	load(&l, "d.yaml", "a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\na: 2\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK(l.root == NULL);
	CHECK_STR_EQ("d.yaml:5:3: error: duplicate key 'x' (first defined at line 3)\n"
		     "d.yaml:6:1: error: duplicate key 'a' (first defined at line 1)\n",
		     l.all);
	unload(&l);
}

static void test_cfg__anchors_and_aliases(void)
{
	struct loaded l;
	const struct cfg_node *a, *b;
	load(&l, "e.yaml", "base: &id {type: bigint, generator: sequence}\ncopy: *id\n");
	CHECK_INT_EQ(0, l.rc);
	a = cfg_get(l.root, "base");
	b = cfg_get(l.root, "copy");
	CHECK(a == b);
	CHECK_STR_EQ("bigint", cfg_get(b, "type")->scalar);
	unload(&l);

	load(&l, "e.yaml", "a: *nope\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("e.yaml:1:4: error: unknown anchor 'nope' (an alias must follow its '&nope')\n",
		     l.all);
	unload(&l);

	/* a node cannot contain itself */
	load(&l, "e.yaml", "a: &x [1, *x]\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK(strstr(l.all, "unknown anchor 'x'") != NULL);
	unload(&l);
}

static void test_cfg__merge_keys_rejected(void)
{
	struct loaded l;
	load(&l, "m.yaml", "base: &b {x: 1}\nt:\n  <<: *b\n  y: 2\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("m.yaml:3:3: error: merge keys ('<<') are not supported (use an alias as the whole value)\n",
		     l.all);
	unload(&l);
}

static void test_cfg__yaml_syntax_errors(void)
{
	struct loaded l;
	load(&l, "s.yaml", "a: 1\n b: 2\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("s.yaml:2:3: error: invalid YAML: mapping values are not allowed in this context\n",
		     l.all);
	unload(&l);

	load(&l, "s.yaml", "a: [1, 2\nb: 3\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("s.yaml:2:2: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)\n",
		     l.all);
	unload(&l);

	load(&l, "s.yaml", "a: 'open\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK(strncmp(l.all, "s.yaml:2:1: error: invalid YAML: found unexpected end of stream", 62) == 0);
	unload(&l);
}

static void test_cfg__documents(void)
{
	struct loaded l;
	load(&l, "x.yaml", "");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("x.yaml:1:1: error: the config is empty\n", l.all);
	unload(&l);

	load(&l, "x.yaml", "a: 1\n---\nb: 2\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("x.yaml:2:1: error: a config holds one document; found a second one ('---')\n",
		     l.all);
	unload(&l);

	load(&l, "x.yaml", "[1, {a: b}]\n");
	CHECK_INT_EQ(0, l.rc);
	CHECK(l.root->kind == CFG_SEQ);
	CHECK(l.root->items[1]->kind == CFG_MAP);
	unload(&l);
}

static void test_cfg__complex_keys_rejected(void)
{
	struct loaded l;
	load(&l, "k.yaml", "? [a, b]\n: 1\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("k.yaml:1:3: error: a map key must be a plain name, not a list\n", l.all);
	unload(&l);
}

static void test_cfg__str_tag_is_quoted(void)
{
	struct loaded l;
	load(&l, "t.yaml", "a: !!str 123\nb: 123\n");
	CHECK_INT_EQ(0, l.rc);
	CHECK(cfg_get(l.root, "a")->quoted);
	CHECK(!cfg_get(l.root, "b")->quoted);
	unload(&l);
}

static void test_cfg__json_same_tree(void)
{
	struct loaded l;
	const struct cfg_node *n;
	load(&l, "j.json",
	     "{\n"
	     "\t\"dataset_id\": \"shop\",\n"
	     "  \"target_rows\": 100,\n"
	     "  \"tables\": {\"t\": {\"cols\": [1, \"2\", true, null]}}\n"
	     "}\n");
	CHECK_INT_EQ(0, l.rc);
	CHECK_STR_EQ("", l.all);
	n = cfg_get(l.root, "dataset_id");
	CHECK(n->quoted);
	CHECK_STR_EQ("shop", n->scalar);
	CHECK_INT_EQ(2, n->loc.line);
	CHECK_INT_EQ(16, n->loc.col); /* a tab is one column, as in libyaml */
	n = cfg_get(l.root, "target_rows");
	CHECK(!n->quoted);
	CHECK_STR_EQ("100", n->scalar);
	n = cfg_get(cfg_get(cfg_get(l.root, "tables"), "t"), "cols");
	CHECK_INT_EQ(4, n->n);
	CHECK(!n->items[0]->quoted);
	CHECK(n->items[1]->quoted);
	CHECK_STR_EQ("true", n->items[2]->scalar);
	CHECK_STR_EQ("null", n->items[3]->scalar);
	unload(&l);
}

static void test_cfg__json_errors(void)
{
	struct loaded l;
	load(&l, "j.json", "{\n  \"a\": 1,\n  \"b\": [1, 2,],\n}\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("j.json:3:14: error: invalid JSON near ']'\n", l.all);
	unload(&l);

	/* YAML would accept this; JSON does not (cJSON stops just after the 'a') */
	load(&l, "j.json", "{a: 1}\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("j.json:1:3: error: invalid JSON near ':'\n", l.all);
	unload(&l);

	load(&l, "j.json", "{\"a\": 1} x");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("j.json:1:10: error: invalid JSON: unexpected 'x' after the top-level value\n",
		     l.all);
	unload(&l);

	load(&l, "j.json", "{\"a\": [1,\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK(strstr(l.all, "invalid JSON: unexpected end of file") != NULL);
	unload(&l);

	/* duplicate keys pass cJSON but not the tree */
	load(&l, "j.json", "{\"a\": 1,\n \"a\": 2}\n");
	CHECK_INT_EQ(-1, l.rc);
	CHECK_STR_EQ("j.json:2:2: error: duplicate key 'a' (first defined at line 1)\n", l.all);
	unload(&l);
}

static void test_cfg__depth_limit(void)
{
	struct loaded l;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 300; i++)
		strbuf_addch(&sb, '[');
	for (int i = 0; i < 300; i++)
		strbuf_addch(&sb, ']');
	load(&l, "deep.yaml", sb.buf);
	CHECK_INT_EQ(-1, l.rc);
	CHECK(strstr(l.all, "nesting is deeper than 256 levels") != NULL);
	unload(&l);
	strbuf_release(&sb);
}

static void test_cfg__load_file_missing(void)
{
	struct arena a = ARENA_INIT;
	struct diags d = DIAGS_INIT;
	struct cfg_node *root = (struct cfg_node *)1;
	CHECK_INT_EQ(-1, cfg_load_file(&root, "/nonexistent/x.yaml", &a, &d));
	CHECK(root == NULL);
	CHECK_INT_EQ(1, d.errors);
	CHECK_STR_EQ("cannot read '/nonexistent/x.yaml': No such file or directory", d.items[0].msg);
	diags_release(&d);
	arena_release(&a);
}

static void test_cfg__kind_names(void)
{
	CHECK_STR_EQ("a map", cfg_kind_name(CFG_MAP));
	CHECK_STR_EQ("a list", cfg_kind_name(CFG_SEQ));
	CHECK_STR_EQ("a scalar", cfg_kind_name(CFG_SCALAR));
}

static const struct harness_test tests[] = {
	{"cfg__yaml_positions", test_cfg__yaml_positions},
	{"cfg__block_scalar_text_loc", test_cfg__block_scalar_text_loc},
	{"cfg__duplicate_keys", test_cfg__duplicate_keys},
	{"cfg__anchors_and_aliases", test_cfg__anchors_and_aliases},
	{"cfg__merge_keys_rejected", test_cfg__merge_keys_rejected},
	{"cfg__yaml_syntax_errors", test_cfg__yaml_syntax_errors},
	{"cfg__documents", test_cfg__documents},
	{"cfg__complex_keys_rejected", test_cfg__complex_keys_rejected},
	{"cfg__str_tag_is_quoted", test_cfg__str_tag_is_quoted},
	{"cfg__json_same_tree", test_cfg__json_same_tree},
	{"cfg__json_errors", test_cfg__json_errors},
	{"cfg__depth_limit", test_cfg__depth_limit},
	{"cfg__load_file_missing", test_cfg__load_file_missing},
	{"cfg__kind_names", test_cfg__kind_names},
	{0, 0},
};

HARNESS_MAIN(tests)
