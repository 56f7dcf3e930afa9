/*
 * emit: the files one command writes, collected in memory first and then
 * written under the output root all at once.  Each file goes to a temporary
 * name in its folder and is renamed into place when complete, so a failed or
 * interrupted compile never leaves a half-written file that looks whole; the
 * root is checked for writability before anything is written.
 */
#ifndef INGEN_EMIT_H
#define INGEN_EMIT_H

#include <stddef.h>

#include "diag.h"

struct strbuf;

struct emit_file {
	char *path; /* relative to the output root, '/' separated */
	char *data;
	size_t len;
};

struct emit_set {
	struct emit_file *files;
	size_t n, alloc;
};

#define EMIT_SET_INIT { NULL, 0, 0 }

void emit_set_init(struct emit_set *s);
void emit_set_release(struct emit_set *s);

/* Adds a file, taking the contents of `content` (left empty). */
void emit_set_add(struct emit_set *s, const char *path, struct strbuf *content);

/*
 * Writes every file under `root` (created if missing), each through a
 * temporary name and a rename.  Returns 0, or -1 with a diagnostic naming
 * the path and the system error (nothing of the failed file is left behind;
 * files written before it stay complete).
 */
int emit_set_write(const struct emit_set *s, const char *root, struct diags *diags);

/* Creates `path` and its parents (mkdir -p).  Returns 0 or -1 with errno set. */
int emit_mkdirs(const char *path);

#endif
