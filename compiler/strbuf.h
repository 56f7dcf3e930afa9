/*
 * strbuf: a growable, always NUL-terminated byte buffer.
 *
 * Invariants (after strbuf_init): `buf` is never NULL and `buf[len] == 0`.
 * Allocation failure aborts the process (there is nothing sensible a
 * generator can do without memory).  Every piece of emitted text in the
 * project goes through one of these; strbuf_detach() is the only way to take
 * ownership of the bytes.
 */
#ifndef INGEN_STRBUF_H
#define INGEN_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { strbuf_empty, 0, 0 }
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* Returns the owned, NUL-terminated bytes; the buffer is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len_out);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_setlen(struct strbuf *sb, size_t len);
/* Appends `n` copies of `c`. */
void strbuf_addchars(struct strbuf *sb, int c, size_t n);

#endif
