/*
 * arena: a singly linked list of blocks, each carved from the front.  Large
 * requests get a block of their own.  Nothing is ever freed individually;
 * the whole arena goes at once, which suits a short-lived compile.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

static void oom(void)
{
	fputs("ingen_fab: out of memory\n", stderr);
	abort();
}

void arena_init(struct arena *a)
{
	a->head = NULL;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void *arena_alloc(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	size_t need = (size + align - 1) & ~(align - 1);
	struct arena_block *b = a->head;

	if (need == 0)
		need = align;
#ifndef INGEN_DEBUG_ARENA
	if (b && b->size - b->used >= need) {
		void *p = b->data + b->used;
		b->used += need;
		return p;
	}
#endif
	{
		size_t bsize = need;
#ifndef INGEN_DEBUG_ARENA
		if (bsize < ARENA_BLOCK)
			bsize = ARENA_BLOCK;
#endif
		struct arena_block *nb = calloc(1, sizeof(*nb) + bsize);
		if (!nb)
			oom();
		nb->size = bsize;
		nb->used = need;
		if (b && bsize == need && b->size - b->used > 256) {
			/* keep the partly used block at the head */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		return nb->data;
	}
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom();
	return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void *arena_grow_array(struct arena *a, void *arr, size_t elem, size_t *cap, size_t need)
{
	size_t n;
	void *p;
	if (need <= *cap)
		return arr;
	n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	p = arena_calloc(a, n, elem);
	if (arr && *cap)
		memcpy(p, arr, *cap * elem);
	*cap = n;
	return p;
}
