/*
 * embedded: the datasets/ and templates/ trees compiled into the binary at
 * build time (tools/embed_files.c).  Paths are relative to the source root,
 * e.g. "datasets/retail_oltp_small.yaml", "templates/ddl/lakehouse/table.sql".
 */
#ifndef INGEN_EMBEDDED_H
#define INGEN_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *path;
	const char *data; /* NUL-terminated */
	size_t len;
};

extern const struct embedded_file embedded_files[]; /* ends with {0} */
extern const size_t embedded_files_count;

/* Looks a file up by its relative path; NULL when absent. */
const struct embedded_file *embedded_find(const char *path);

#endif
