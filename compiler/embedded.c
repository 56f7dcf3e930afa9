/*
 * embedded: lookup over the build-time table of embedded files.  The table
 * is small (tens of files), so a linear scan is plenty.
 */
#include "embedded.h"

#include <string.h>

const struct embedded_file *embedded_find(const char *path)
{
	for (size_t i = 0; i < embedded_files_count; i++)
		if (strcmp(embedded_files[i].path, path) == 0)
			return &embedded_files[i];
	return NULL;
}
