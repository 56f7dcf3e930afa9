/*
 * arena: bump allocator for everything that lives as long as one compile
 * (config nodes, model objects, interned strings).  One arena_release()
 * frees it all.  Built with -DINGEN_DEBUG_ARENA every allocation is a
 * separate malloc so that ASan can see overruns of individual objects.
 * Allocation failure aborts.
 */
#ifndef INGEN_ARENA_H
#define INGEN_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

#define ARENA_INIT { NULL }

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Zero-filled, aligned to max_align_t. */
void *arena_alloc(struct arena *a, size_t size);
/* arena_alloc(n * size) with overflow check. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Grows an arena array of `*cap` elements to hold at least `need` (copies). */
void *arena_grow_array(struct arena *a, void *arr, size_t elem, size_t *cap, size_t need);

#endif
