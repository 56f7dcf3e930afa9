/*
 * emit: collecting output files and writing them atomically (see emit.h).
 * Writing is two passes: first every folder is created and probed for
 * writability, so an unwritable root fails before any file is touched; then
 * each file is written to "<name>.tmp-<pid>", flushed, and renamed.
 */
#include "emit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"

void emit_set_init(struct emit_set *s)
{
	memset(s, 0, sizeof(*s));
}

void emit_set_release(struct emit_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->files[i].path);
		free(s->files[i].data);
	}
	free(s->files);
	emit_set_init(s);
}

void emit_set_add(struct emit_set *s, const char *path, struct strbuf *content)
{
	if (s->n == s->alloc) {
		size_t n = s->alloc ? s->alloc * 2 : 16;
		struct emit_file *f = realloc(s->files, n * sizeof(*f));
		if (!f)
			abort();
		s->files = f;
		s->alloc = n;
	}
	s->files[s->n].path = strdup(path);
	if (!s->files[s->n].path)
		abort();
	s->files[s->n].data = strbuf_detach(content, &s->files[s->n].len);
	s->n++;
}

int emit_mkdirs(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;
	strbuf_addstr(&sb, path);
	for (size_t i = 1; i <= sb.len; i++) {
		if (i == sb.len || sb.buf[i] == '/') {
			char save = sb.buf[i];
			sb.buf[i] = 0;
			if (mkdir(sb.buf, 0777) && errno != EEXIST) {
				rc = -1;
			} else {
				struct stat st;
				if (stat(sb.buf, &st) == 0 && !S_ISDIR(st.st_mode)) {
					errno = ENOTDIR;
					rc = -1;
				}
			}
			sb.buf[i] = save;
			if (rc)
				break;
		}
	}
	strbuf_release(&sb);
	return rc;
}

static void dir_of(struct strbuf *out, const char *root, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	strbuf_reset(out);
	strbuf_addstr(out, root);
	if (slash) {
		strbuf_addch(out, '/');
		strbuf_add(out, rel, (size_t)(slash - rel));
	}
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * The folder `path` exists and is writable, or its nearest existing
 * ancestor is a writable folder (so mkdir -p will work).  Records an error
 * naming the obstacle otherwise.
 */
static int check_dir_creatable(const char *path, struct diags *diags)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int rc = -1;

	strbuf_addstr(&sb, path);
	for (;;) {
		if (stat(sb.buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				diag_error(diags, NULL, "cannot create folder '%s': '%s' is not a folder", path, sb.buf);
			} else if (access(sb.buf, W_OK | X_OK)) {
				diag_error(diags, NULL, "cannot write to folder '%s': %s", sb.buf, strerror(errno));
			} else {
				rc = 0;
			}
			break;
		}
		if (errno != ENOENT) {
			diag_error(diags, NULL, "cannot create folder '%s': %s", path, strerror(errno));
			break;
		}
		{
			char *slash = strrchr(sb.buf, '/');
			if (!slash || slash == sb.buf) {
				/* a relative path whose first part is missing: the current folder holds it */
				strbuf_reset(&sb);
				strbuf_addstr(&sb, slash ? "/" : ".");
			} else {
				strbuf_setlen(&sb, (size_t)(slash - sb.buf));
			}
		}
	}
	strbuf_release(&sb);
	return rc;
}

int emit_set_write(const struct emit_set *s, const char *root, struct diags *diags)
{
	struct strbuf dir = STRBUF_INIT, tmp = STRBUF_INIT, dst = STRBUF_INIT;
	int rc = -1;

	/* pass 1: check, changing nothing, that every folder exists or can be made */
	for (size_t i = 0; i < s->n; i++) {
		dir_of(&dir, root, s->files[i].path);
		if (check_dir_creatable(dir.buf, diags))
			goto done;
	}
	for (size_t i = 0; i < s->n; i++) {
		dir_of(&dir, root, s->files[i].path);
		if (emit_mkdirs(dir.buf)) {
			diag_error(diags, NULL, "cannot create folder '%s': %s", dir.buf, strerror(errno));
			goto done;
		}
	}
	/* pass 2: each file through a temporary name */
	for (size_t i = 0; i < s->n; i++) {
		int fd;
		strbuf_reset(&dst);
		strbuf_addf(&dst, "%s/%s", root, s->files[i].path);
		strbuf_reset(&tmp);
		strbuf_addf(&tmp, "%s.tmp-%ld", dst.buf, (long)getpid());
		fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd < 0) {
			diag_error(diags, NULL, "cannot write '%s': %s", dst.buf, strerror(errno));
			goto done;
		}
		if (write_all(fd, s->files[i].data, s->files[i].len) || fsync(fd)) {
			int e = errno;
			close(fd);
			unlink(tmp.buf);
			diag_error(diags, NULL, "cannot write '%s': %s", dst.buf, strerror(e));
			goto done;
		}
		if (close(fd) || rename(tmp.buf, dst.buf)) {
			int e = errno;
			unlink(tmp.buf);
			diag_error(diags, NULL, "cannot write '%s': %s", dst.buf, strerror(e));
			goto done;
		}
	}
	rc = 0;
done:
	strbuf_release(&dir);
	strbuf_release(&tmp);
	strbuf_release(&dst);
	return rc;
}
