/*
 * notebook_run: the python and pyspark engines of `generate --execute`.
 * A compiled notebook is a Python program that writes the local lakehouse
 * by itself; this file starts it in a child process (posix_spawnp, its own
 * process group), passes an interruption on to it, waits, and turns what it
 * left behind (an exit status, a run log JSON, the table folders) into a
 * result shaped like the native engine's run summary.  See notebook_run.h
 * for the contract.
 */
#include "notebook_run.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "emit.h"
#include "run.h"
#include "strbuf.h"

extern char **environ;

const char *notebook_python(void)
{
	const char *p = getenv("INGEN_FAB_PYTHON");
	return p && *p ? p : "python3";
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGHUP: return "SIGHUP";
	case SIGPIPE: return "SIGPIPE";
	case SIGQUIT: return "SIGQUIT";
	default: return NULL;
	}
}

static void add_signal(struct strbuf *sb, int sig)
{
	const char *name = signal_name(sig);
	if (name)
		strbuf_addstr(sb, name);
	else
		strbuf_addf(sb, "signal %d", sig);
}

/* ---------- the child's environment ---------- */

static bool env_is(const char *entry, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(entry, name, n) && entry[n] == '=';
}

/* environ without the overridden names, then NAME=value for each override; from the arena. */
static char **child_env(struct arena *arena, const char *const *names, const char *const *values,
			size_t n_over)
{
	size_t n = 0, k = 0;
	char **env;
	for (char **e = environ; e && *e; e++)
		n++;
	env = arena_calloc(arena, n + n_over + 1, sizeof(*env));
	for (char **e = environ; e && *e; e++) {
		bool skip = false;
		for (size_t i = 0; i < n_over && !skip; i++)
			skip = values[i] && env_is(*e, names[i]);
		if (!skip)
			env[k++] = *e;
	}
	for (size_t i = 0; i < n_over; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (!values[i])
			continue;
		strbuf_addf(&sb, "%s=%s", names[i], values[i]);
		env[k++] = arena_strdup(arena, sb.buf);
		strbuf_release(&sb);
	}
	env[k] = NULL;
	return env;
}

/* ---------- spawning and waiting ---------- */

struct child_outcome {
	int status;        /* waitpid() status */
	int stop_signal;   /* the first SIGINT/SIGTERM we received, 0 for none */
	bool killed;       /* we sent SIGKILL (a second signal) */
	double seconds;
	double peak_mb;
};

static int spawn_and_wait(struct child_outcome *oc, const struct notebook_run_request *req,
			  char **envp, struct diags *diags)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t block, old, child_mask, defaults;
	char *argv[3];
	pid_t pid;
	double t0;
	int err, stops = 0, rc = -1;
	struct rusage ru;

	memset(oc, 0, sizeof(*oc));
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	child_mask = old;
	sigdelset(&child_mask, SIGINT);
	sigdelset(&child_mask, SIGTERM);
	sigdelset(&child_mask, SIGCHLD);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGCHLD);

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (req->show_output)
		posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
					       POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setsigmask(&attr, &child_mask);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);

	argv[0] = (char *)req->python;
	argv[1] = (char *)req->notebook;
	argv[2] = NULL;
	fflush(stdout);
	fflush(stderr);
	t0 = run_clock_s();
	err = posix_spawnp(&pid, req->python, &fa, &attr, argv, envp);
	if (err) {
		diag_error(diags, NULL, "cannot run '%s': %s (set INGEN_FAB_PYTHON to a Python with %s)",
			   req->python, strerror(err),
			   !strcmp(req->engine, "pyspark") ? "pyspark" : "numpy, pyarrow and deltalake");
		goto done;
	}
	for (;;) {
		struct timespec wait = {1, 0};
		siginfo_t si;
		int sig, st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			oc->status = st;
			break;
		}
		if (w < 0 && errno != EINTR) {
			diag_error(diags, NULL, "cannot wait for the %s notebook: %s", req->engine, strerror(errno));
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			goto done;
		}
		sig = sigtimedwait(&block, &si, &wait);
		if (sig != SIGINT && sig != SIGTERM)
			continue; /* SIGCHLD, the timeout or EINTR: look again */
		if (!oc->stop_signal)
			oc->stop_signal = sig;
		/* the first stop asks the notebook to stop (it cleans up); the next one kills it */
		if (++stops == 1) {
			kill(-pid, SIGINT);
		} else {
			oc->killed = true;
			kill(-pid, SIGKILL);
		}
	}
	oc->seconds = run_clock_s() - t0;
	if (!getrusage(RUSAGE_CHILDREN, &ru))
		oc->peak_mb = (double)ru.ru_maxrss / 1024.0; /* kilobytes on Linux */
	rc = 0;
done:
	{
		/* take what arrived after the child ended, so that unblocking cannot kill us */
		struct timespec zero = {0, 0};
		int sig;
		while ((sig = sigtimedwait(&block, NULL, &zero)) > 0)
			if ((sig == SIGINT || sig == SIGTERM) && !oc->stop_signal)
				oc->stop_signal = sig;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* ---------- what the notebook left ---------- */

/* Removes `<x>.tmp-*` entries of `dir` changed since `since` (a killed notebook's temporary folders). */
static void remove_temporaries(const char *dir, time_t since)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct strbuf path = STRBUF_INIT;
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strstr(e->d_name, ".tmp-"))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, e->d_name);
		if (!lstat(path.buf, &st) && st.st_mtime >= since)
			run_remove_tree(path.buf);
	}
	closedir(d);
	strbuf_release(&path);
}

static void clean_after_kill(const char *lakehouse, const char *dataset_id, time_t since)
{
	static const char *const formats[] = {"parquet", "csv"};
	struct strbuf dir = STRBUF_INIT;
	strbuf_addf(&dir, "%s/Tables", lakehouse);
	remove_temporaries(dir.buf, since);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s/Files/synthetic_data/%s/%s", lakehouse, dataset_id, formats[i]);
		remove_temporaries(dir.buf, since);
	}
	strbuf_release(&dir);
}

/* Data files under `path`: names starting with '_' or '.' (Delta log, _SUCCESS, .crc) do not count. */
static void count_files(int64_t *files, int64_t *bytes, const char *path, int depth)
{
	DIR *d;
	struct dirent *e;
	struct strbuf sub = STRBUF_INIT;
	if (depth > 16 || !(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] == '.' || e->d_name[0] == '_')
			continue;
		strbuf_reset(&sub);
		strbuf_addf(&sub, "%s/%s", path, e->d_name);
		if (lstat(sub.buf, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			count_files(files, bytes, sub.buf, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			(*files)++;
			*bytes += (int64_t)st.st_size;
		}
	}
	closedir(d);
	strbuf_release(&sub);
}

/* The newest `<id>_<engine>_<time>.json` of `dir` with time >= since; 0 and *t_out, or -1. */
static int newest_log(struct strbuf *path, int64_t *t_out, const char *dir, const char *dataset_id,
		      const char *engine, int64_t since)
{
	struct strbuf prefix = STRBUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;
	int64_t best = -1;
	if (!d) {
		strbuf_release(&prefix);
		return -1;
	}
	strbuf_addf(&prefix, "%s_%s_", dataset_id, engine);
	while ((e = readdir(d))) {
		const char *s = e->d_name, *p;
		int64_t t = 0;
		if (strncmp(s, prefix.buf, prefix.len))
			continue;
		p = s + prefix.len;
		if (*p < '0' || *p > '9')
			continue;
		while (*p >= '0' && *p <= '9' && t < INT64_MAX / 10)
			t = t * 10 + (*p++ - '0');
		if (strcmp(p, ".json") || t < since || t <= best)
			continue;
		best = t;
		strbuf_reset(path);
		strbuf_addf(path, "%s/%s", dir, s);
	}
	closedir(d);
	strbuf_release(&prefix);
	if (best < 0)
		return -1;
	*t_out = best;
	return 0;
}

static int read_text(struct strbuf *sb, const char *path)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool json_num(double *out, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

/* A count in the run log: a whole number >= 0 below 2^53. */
static bool json_count(int64_t *out, const cJSON *obj, const char *key)
{
	double v;
	if (!json_num(&v, obj, key) || v < 0 || v > 9007199254740992.0 || v != (double)(int64_t)v)
		return false;
	*out = (int64_t)v;
	return true;
}

/* One table entry {table, rows, path} of a series day (seconds when given). */
static int parse_day_table(struct notebook_run_table *nt, const cJSON *t, struct arena *arena)
{
	const char *name = json_str(t, "table"), *tpath = json_str(t, "path");
	if (!name || !tpath || !json_count(&nt->rows, t, "rows"))
		return -1;
	nt->name = arena_strdup(arena, name);
	nt->path = arena_strdup(arena, tpath);
	nt->rows_per_second = -1;
	if (!json_num(&nt->seconds, t, "seconds"))
		nt->seconds = 0;
	return 0;
}

/*
 * The series part of a run log: output_format, path_format, state, days
 * [{date, tables, rows, seconds}], rows, seconds; and the tables summed
 * over the days (first appearance order).
 */
static int parse_series(struct notebook_run_result *out, const cJSON *doc, struct strbuf *why,
			struct arena *arena)
{
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(doc, "days"), *day, *state;
	const char *s;
	size_t n_all = 0, k = 0;

	if (!(s = json_str(doc, "output_format"))) {
		strbuf_addstr(why, "no 'output_format' string");
		return -1;
	}
	out->output_mode = arena_strdup(arena, s);
	out->path_format = (s = json_str(doc, "path_format")) ? arena_strdup(arena, s) : NULL;
	state = cJSON_GetObjectItemCaseSensitive(doc, "state");
	out->state = cJSON_IsString(state) ? arena_strdup(arena, state->valuestring) : NULL;
	if (!json_count(&out->rows, doc, "rows") || !json_num(&out->seconds, doc, "seconds")) {
		strbuf_addstr(why, "'rows' or 'seconds' is missing or not a number");
		return -1;
	}
	if (!cJSON_IsArray(days)) {
		strbuf_addstr(why, "'days' is not an array");
		return -1;
	}
	out->n_days = (size_t)cJSON_GetArraySize(days);
	out->days = arena_calloc(arena, out->n_days ? out->n_days : 1, sizeof(*out->days));
	cJSON_ArrayForEach(day, days) {
		struct notebook_run_day *nd = &out->days[k++];
		const cJSON *tables = cJSON_GetObjectItemCaseSensitive(day, "tables"), *t;
		size_t i = 0;
		if (!(s = json_str(day, "date")) || !cJSON_IsArray(tables) || !json_count(&nd->rows, day, "rows") ||
		    !json_num(&nd->seconds, day, "seconds")) {
			strbuf_addf(why, "day %zu lacks 'date', 'tables', 'rows' or 'seconds'", k);
			return -1;
		}
		nd->date = arena_strdup(arena, s);
		nd->n_tables = (size_t)cJSON_GetArraySize(tables);
		nd->tables = arena_calloc(arena, nd->n_tables ? nd->n_tables : 1, sizeof(*nd->tables));
		cJSON_ArrayForEach(t, tables) {
			if (parse_day_table(&nd->tables[i++], t, arena)) {
				strbuf_addf(why, "table %zu of day %s lacks 'table', 'path' or 'rows'", i, nd->date);
				return -1;
			}
		}
		n_all += nd->n_tables;
	}
	/* per table: the days summed */
	out->tables = arena_calloc(arena, n_all ? n_all : 1, sizeof(*out->tables));
	for (size_t d = 0; d < out->n_days; d++) {
		for (size_t i = 0; i < out->days[d].n_tables; i++) {
			const struct notebook_run_table *dt = &out->days[d].tables[i];
			size_t j;
			for (j = 0; j < out->n_tables; j++)
				if (!strcmp(out->tables[j].name, dt->name))
					break;
			if (j == out->n_tables) {
				out->tables[j] = *dt;
				out->tables[j].rows = 0;
				out->tables[j].seconds = 0;
				out->n_tables++;
			}
			out->tables[j].rows += dt->rows;
			out->tables[j].seconds += dt->seconds;
			out->tables[j].path = dt->path;
		}
	}
	return 0;
}

/* Parses and checks the run log; fills the table fields of *out. */
static int parse_log(struct notebook_run_result *out, const char *path,
		     const struct notebook_run_request *req, struct arena *arena, struct diags *diags)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	cJSON *doc = NULL;
	const cJSON *tables, *t;
	const char *s;
	size_t i = 0;
	int rc = -1;

	if (read_text(&text, path)) {
		diag_error(diags, NULL, "cannot read the run log '%s': %s", path, strerror(errno));
		goto done;
	}
	doc = cJSON_ParseWithLength(text.buf, text.len);
	if (!cJSON_IsObject(doc)) {
		strbuf_addstr(&why, "not a JSON object");
		goto bad;
	}
	if (!(s = json_str(doc, "dataset_id")) || strcmp(s, req->dataset_id)) {
		strbuf_addf(&why, "'dataset_id' is not '%s'", req->dataset_id);
		goto bad;
	}
	out->dataset_id = arena_strdup(arena, s);
	if (!(s = json_str(doc, "engine")) || strcmp(s, req->engine)) {
		strbuf_addf(&why, "'engine' is not '%s'", req->engine);
		goto bad;
	}
	out->engine = arena_strdup(arena, s);
	if (req->series) {
		rc = parse_series(out, doc, &why, arena);
		if (rc)
			goto bad;
		goto done;
	}
	if (!(s = json_str(doc, "output_mode"))) {
		strbuf_addstr(&why, "no 'output_mode' string");
		goto bad;
	}
	out->output_mode = arena_strdup(arena, s);
	if (!json_count(&out->rows, doc, "rows") || !json_num(&out->seconds, doc, "seconds")) {
		strbuf_addstr(&why, "'rows' or 'seconds' is missing or not a number");
		goto bad;
	}
	tables = cJSON_GetObjectItemCaseSensitive(doc, "tables");
	if (!cJSON_IsArray(tables)) {
		strbuf_addstr(&why, "'tables' is not an array");
		goto bad;
	}
	out->n_tables = (size_t)cJSON_GetArraySize(tables);
	out->tables = arena_calloc(arena, out->n_tables ? out->n_tables : 1, sizeof(*out->tables));
	cJSON_ArrayForEach(t, tables) {
		struct notebook_run_table *nt = &out->tables[i++];
		const cJSON *rate = cJSON_GetObjectItemCaseSensitive(t, "rows_per_second");
		const char *name = json_str(t, "table"), *tpath = json_str(t, "path");
		if (!name || !tpath || !json_count(&nt->rows, t, "rows") ||
		    !json_num(&nt->seconds, t, "seconds") || !(cJSON_IsNull(rate) || cJSON_IsNumber(rate))) {
			strbuf_addf(&why, "table %zu lacks 'table', 'path', 'rows', 'seconds' or "
				    "'rows_per_second'", i);
			goto bad;
		}
		nt->name = arena_strdup(arena, name);
		nt->path = arena_strdup(arena, tpath);
		nt->rows_per_second = cJSON_IsNumber(rate) ? (int64_t)rate->valuedouble : -1;
		count_files(&nt->files, &nt->bytes, tpath, 0);
	}
	rc = 0;
	goto done;
bad:
	diag_error(diags, NULL, "malformed run log '%s': %s", path, why.buf);
done:
	cJSON_Delete(doc);
	strbuf_release(&text);
	strbuf_release(&why);
	return rc;
}

/* ---------- jars ---------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int notebook_spark_jars_of_dir(struct strbuf *out, const char *dir, struct diags *diags)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *abs = NULL, **names = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;

	if (!d) {
		diag_error(diags, NULL, "cannot read the --spark-jars folder '%s': %s", dir, strerror(errno));
		return -1;
	}
	abs = realpath(dir, NULL);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".jar") || e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **grown = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof(*names));
			if (!grown)
				goto done;
			names = grown;
		}
		names[n++] = strdup(e->d_name);
	}
	if (!n) {
		diag_error(diags, NULL, "the --spark-jars folder '%s' holds no .jar file (the pyspark "
			   "notebook needs the Delta Lake jars, e.g. delta-spark and delta-storage)", dir);
		goto done;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, "%s%s/%s", i ? "," : "", abs ? abs : dir, names[i]);
	rc = 0;
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(abs);
	closedir(d);
	return rc;
}

int notebook_check_spark_jars(const char *list, struct diags *diags)
{
	const char *p = list;
	struct strbuf one = STRBUF_INIT;
	size_t n = 0;
	int rc = 0;

	while (p && *p && !rc) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct stat st;
		strbuf_reset(&one);
		strbuf_add(&one, p, len);
		p = end ? end + 1 : p + len;
		if (!one.len)
			continue;
		n++;
		if (stat(one.buf, &st) || !S_ISREG(st.st_mode))
			rc = diag_error(diags, NULL, "INGEN_FAB_SPARK_JARS names '%s', which is not a file "
					"(the value is a comma-separated list of jar paths)", one.buf);
	}
	if (!rc && !n)
		rc = diag_error(diags, NULL, "INGEN_FAB_SPARK_JARS names no jar");
	strbuf_release(&one);
	return rc < 0 ? -1 : 0;
}

int notebook_spark_jars(const char **jars, struct strbuf *out, const char *dir, struct diags *diags)
{
	const char *env = getenv("INGEN_FAB_SPARK_JARS");
	*jars = NULL;
	if (dir) {
		if (notebook_spark_jars_of_dir(out, dir, diags) < 0)
			return -1;
		*jars = out->buf;
		return 0;
	}
	if (!env || !*env)
		return diag_error(diags, NULL, "the pyspark engine needs the Delta Lake jars of a local Spark: set "
				  "INGEN_FAB_SPARK_JARS to their comma-separated paths, or pass --spark-jars DIR");
	return notebook_check_spark_jars(env, diags);
}

/* ---------- the run ---------- */

int notebook_run(struct notebook_run_result *out, const struct notebook_run_request *req,
		 struct arena *arena, struct diags *diags)
{
	static const char *const names[] = {"INGEN_FAB_OUTPUT_ROOT", "INGEN_FAB_SPARK_JARS",
					    "INGEN_FAB_SPARK_MASTER", "PYTHONUNBUFFERED",
					    "PYSPARK_SUBMIT_ARGS"};
	const char *values[5];
	struct strbuf lakehouse = STRBUF_INIT, runs = STRBUF_INIT, log = STRBUF_INIT, msg = STRBUF_INIT,
		      kind = STRBUF_INIT;
	struct child_outcome oc;
	char **envp;
	time_t started;
	int64_t log_time = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	values[0] = req->root;
	values[1] = req->spark_jars;
	values[2] = req->spark_master;
	values[3] = getenv("PYTHONUNBUFFERED") ? NULL : "1"; /* progress lines as they come */
	/* no Spark stage progress bars in logs; on a terminal they are progress */
	values[4] = !strcmp(req->engine, "pyspark") && !req->show_output && !getenv("PYSPARK_SUBMIT_ARGS")
			    ? "--conf spark.ui.showConsoleProgress=false pyspark-shell" : NULL;
	envp = child_env(arena, names, values, 5);
	strbuf_addf(&lakehouse, "%s/lakehouse/%s", req->root, req->dataset_id);

	started = time(NULL);
	if (spawn_and_wait(&oc, req, envp, diags))
		goto done;
	if (oc.killed)
		clean_after_kill(lakehouse.buf, req->dataset_id, started);
	if (!WIFEXITED(oc.status) || WEXITSTATUS(oc.status) != 0) {
		if (WIFEXITED(oc.status))
			strbuf_addf(&msg, "exit status %d", WEXITSTATUS(oc.status));
		else if (WIFSIGNALED(oc.status))
			add_signal(&msg, WTERMSIG(oc.status));
		else
			strbuf_addf(&msg, "wait status %d", oc.status);
		if (oc.stop_signal) {
			struct strbuf sig = STRBUF_INIT;
			add_signal(&sig, oc.stop_signal);
			diag_error(diags, NULL, "interrupted by %s: the %s notebook stopped (%s); tables it "
				   "had not finished were removed", sig.buf, req->engine, msg.buf);
			strbuf_release(&sig);
		} else if (WIFSIGNALED(oc.status)) {
			diag_error(diags, NULL, "the %s notebook '%s' was killed by %s", req->engine,
				   req->notebook, msg.buf);
		} else {
			diag_error(diags, NULL, "the %s notebook '%s' failed with %s", req->engine,
				   req->notebook, msg.buf);
		}
		goto done;
	}
	strbuf_addf(&runs, "%s/Files/synthetic_data/_runs", lakehouse.buf);
	strbuf_addf(&kind, "%s%s", req->series ? "incremental_" : "", req->engine);
	if (newest_log(&log, &log_time, runs.buf, req->dataset_id, kind.buf, (int64_t)started)) {
		diag_error(diags, NULL, "the %s notebook exited with status 0 but wrote no run log "
			   "'%s_%s_<time>.json' under '%s'", req->engine, req->dataset_id, kind.buf, runs.buf);
		goto done;
	}
	if (parse_log(out, log.buf, req, arena, diags))
		goto done;
	out->process_seconds = oc.seconds;
	out->peak_memory_mb = oc.peak_mb;
	out->started = log_time;
	out->lakehouse = arena_strdup(arena, lakehouse.buf);
	out->log_path = arena_strdup(arena, log.buf);
	rc = 0;
done:
	strbuf_release(&lakehouse);
	strbuf_release(&runs);
	strbuf_release(&log);
	strbuf_release(&msg);
	strbuf_release(&kind);
	return rc;
}

/* ---------- the warehouse load script ---------- */

int notebook_copy_into_write(const char *files_dir, const char *script_name, const char *const *tables,
			     const char *const *folders, const bool *replace, size_t n, struct diags *diags)
{
	struct strbuf sql = STRBUF_INIT, path = STRBUF_INIT, tmp = STRBUF_INIT;
	FILE *f = NULL;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		if (replace && replace[i])
			strbuf_addf(&sql, "DELETE FROM [dbo].[%s];\n", tables[i]);
		strbuf_addf(&sql, "COPY INTO [dbo].[%s] FROM '%s/parquet/%s/*.parquet' WITH (FILE_TYPE = 'PARQUET');\n",
			    tables[i], files_dir, folders[i]);
	}
	strbuf_addf(&path, "%s/%s", files_dir, script_name);
	strbuf_addf(&tmp, "%s.tmp", path.buf);
	if (emit_mkdirs(files_dir) || !(f = fopen(tmp.buf, "w"))) {
		diag_error(diags, NULL, "cannot write '%s': %s", tmp.buf, strerror(errno));
		goto done;
	}
	if (fwrite(sql.buf, 1, sql.len, f) != sql.len) {
		diag_error(diags, NULL, "cannot write '%s': %s", tmp.buf, strerror(errno));
		fclose(f);
		goto done;
	}
	if (fclose(f) || rename(tmp.buf, path.buf)) {
		diag_error(diags, NULL, "cannot write '%s': %s", path.buf, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	strbuf_release(&sql);
	strbuf_release(&path);
	strbuf_release(&tmp);
	return rc;
}
