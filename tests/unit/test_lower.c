/*
 * Unit tests for compiler/lower.c: every predefined dataset lowers, and the
 * lowering of each sampler has the shape docs/samplers.md defines (checked on
 * small datasets written here, through the IR dump).
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "harness.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"

/* Lowers `yaml` (or the catalogue entry `id`) and returns the IR dump, or NULL. */
static char *lower_dump(const char *id, const char *yaml, int64_t target_rows)
{
	struct arena arena = ARENA_INIT;
	struct diags diags = DIAGS_INIT;
	struct catalog cat = {0};
	struct dataset *ds = NULL;
	struct plan plan;
	struct plan_options opts = {0};
	struct ir_program *progs = NULL;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *res = NULL;

	if (yaml) {
		struct cfg_node *root;
		if (cfg_load(&root, "t.yaml", yaml, strlen(yaml), &arena, &diags) ||
		    model_build(&ds, root, &arena, &diags))
			goto done;
	} else {
		if (catalog_init(&cat, NULL, 0, &diags) || catalog_load_dataset(&ds, &cat, id, &arena, &diags))
			goto done;
	}
	opts.target_rows = target_rows;
	if (plan_build(&plan, ds, &opts, &arena, &diags))
		goto done;
	if (ir_lower(&progs, &plan, &refs, &arena, &diags))
		goto done;
	ir_dump(&sb, progs, plan.n_tables);
	res = strbuf_detach(&sb, NULL);
done:
	if (!res)
		diags_print(&diags, stderr);
	strbuf_release(&sb);
	refdata_cache_release(&refs);
	if (!yaml)
		catalog_release(&cat);
	diags_release(&diags);
	arena_release(&arena);
	return res;
}

static void test_lower__every_builtin_dataset(void)
{
	struct diags diags = DIAGS_INIT;
	struct catalog cat = {0};
	CHECK(catalog_init(&cat, NULL, 0, &diags) == 0);
	CHECK(cat.n >= 5);
	for (size_t i = 0; i < cat.n; i++) {
		char *dump = lower_dump(cat.items[i].id, NULL, 1000);
		if (!dump)
			fprintf(stderr, "dataset %s does not lower\n", cat.items[i].id);
		CHECK(dump != NULL);
		free(dump);
	}
	catalog_release(&cat);
	diags_release(&diags);
}

static const char *const shop =
	"dataset_id: shop\n"
	"dataset_name: Shop\n"
	"dataset_type: transactional\n"
	"schema_pattern: oltp\n"
	"domain: retail\n"
	"target_rows: 100\n"
	"seed: 7\n"
	"tables:\n"
	"  customers:\n"
	"    rows: 10\n"
	"    primary_key: id\n"
	"    columns:\n"
	"      id: {type: bigint, generator: sequence, start: 5, step: 2}\n"
	"      tier: {type: string, generator: choice, values: {Gold: 1, Silver: 3}}\n"
	"  orders:\n"
	"    columns:\n"
	"      customer_id: {type: bigint, generator: reference, references: customers.id}\n"
	"      amount: {type: 'decimal(10,2)', generator: uniform, min: 1, max: 5}\n"
	"      code: {type: string, generator: pattern, pattern: 'A[0-9]{2}', unique: true}\n"
	"      late: {type: boolean, generator: bernoulli, p: 0.25, null_probability: 0.5}\n";

static void test_lower__shapes(void)
{
	char *dump = lower_dump(NULL, shop, 0);
	CHECK(dump != NULL);
	if (!dump)
		return;
	/* sequence: start + row * step */
	CHECK(strstr(dump, "  id: i64 = add(const(5), mul(row, const(2)))\n") != NULL);
	/* choice: the cumulative table of 2 entries, then the value table */
	CHECK(strstr(dump, "  tier: str = element[t1/2](search_cum[t0/2](unit(hash[") != NULL);
	/* reference: the parent key recomputed at a uniform parent row in [0, 9] */
	CHECK(strstr(dump, "  customer_id: i64 = at_row[customers.id](int_range[0..9](hash[") != NULL);
	/* decimal uniform: unscaled bounds */
	CHECK(strstr(dump, "amount: dec = mul(cast[dec,0](int_range[100..500](hash[") != NULL && strstr(dump, "const(1:dec,2))\n") != NULL);
	/* unique pattern: affine permutation over the 100 strings, no draws */
	CHECK(strstr(dump, "code: str = concat(const('A'), element[") != NULL);
	CHECK(strstr(dump, "affine_mod[a=") != NULL && strstr(dump, ",n=100](row)") != NULL);
	/* nulls: the null draw k = -1 */
	CHECK(strstr(dump, "late: bool = if(lt(unit(hash[") != NULL && strstr(dump, ",k=-1](row)), const(0.5))") != NULL);
	free(dump);
}

static const struct harness_test tests[] = {
	{"lower__every_builtin_dataset", test_lower__every_builtin_dataset},
	{"lower__shapes", test_lower__shapes},
	{0, 0},
};

HARNESS_MAIN(tests)
