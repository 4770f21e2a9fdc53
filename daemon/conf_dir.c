/*
 * conf_dir.c - the files of targets_dir: every *.conf there, by name, each
 * holding `targets` and maybe its own `defaults`, read by libconfig on
 * worker threads (one per core, a config_t each), so that a start of many
 * files uses every core.  On a reload, a file that has not changed since
 * the running config was read (its size and mtime, or else the hash of its
 * contents) is not parsed again: its targets stay as they run.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"
#include "log.h"
#include "strlist.h"

#define CONF_DIR_SUFFIX		".conf"
#define CONF_DIR_MAX_THREADS	64

/* One file of the directory, and what its worker made of it. */
struct conf_dir_item {
	struct conf_file	*file;		/* the new config's */
	struct conf_file	*prev;		/* the running one's, if any */
	struct conf_part	*part;
	struct conf_pool	*pool;
	struct strlist		 errs;
};

struct conf_dir_job {
	struct conf_dir_item	*items;
	size_t			 nitems;
	atomic_size_t		 next;		/* the next item to take */
	const struct conf_defaults *defaults;	/* futd.conf's */
	const char		*dir;
	int			 same_context;
};

static int
conf_dir_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
conf_dir_wanted(const char *name)
{
	size_t len = strlen(name), slen = strlen(CONF_DIR_SUFFIX);

	return name[0] != '.' && len > slen &&
	    strcmp(name + len - slen, CONF_DIR_SUFFIX) == 0;
}

/* The names of dir's *.conf files, sorted; -1 if dir cannot be read. */
static int
conf_dir_list(const char *dir, struct strlist *names, const char *where,
    struct strlist *errs)
{
	struct dirent *de;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL) {
		strlist_add(errs, "%s: targets_dir \"%s\" cannot be read: %s",
		    where, dir, strerror(errno));
		return -1;
	}
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (conf_dir_wanted(de->d_name))
			strlist_add(names, "%s", de->d_name);
		else if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			log_debug("%s/%s: ignored: not a *%s file", dir,
			    de->d_name, CONF_DIR_SUFFIX);
	}
	if (errno != 0) {
		strlist_add(errs, "%s: targets_dir \"%s\" cannot be read: %s",
		    where, dir, strerror(errno));
		closedir(dp);
		return -1;
	}
	closedir(dp);
	if (names->n > 1)
		qsort(names->msg, names->n, sizeof(*names->msg), conf_dir_cmp);
	return 0;
}

static int
conf_dir_cmp_file(const void *key, const void *elem)
{
	return strcmp(key, (*(struct conf_file *const *)elem)->path);
}

/* prev's file of this path (prev->files[1..] are sorted by path) */
static struct conf_file *
conf_dir_prev(const struct conf *prev, const char *path)
{
	struct conf_file *const *f;

	if (prev == NULL || prev->nfiles < 2)
		return NULL;
	f = bsearch(path, prev->files + 1, prev->nfiles - 1,
	    sizeof(*prev->files), conf_dir_cmp_file);
	return f != NULL ? *f : NULL;
}

/* The file's targets, over the file's defaults, over futd.conf's. */
static void
conf_dir_parse(struct conf_dir_job *job, struct conf_dir_item *it,
    const char *text)
{
	struct conf_ctx ctx = {
		.path = it->file->path, .dir = job->dir, .errs = &it->errs,
		.file = it->file,
	};
	struct conf_defaults d = *job->defaults;
	const config_setting_t *root, *s;
	config_t cfg;

	config_init(&cfg);
	config_set_include_dir(&cfg, job->dir);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		conf_syntax_error(&it->errs, &cfg, it->file->path, job->dir,
		    text);
		config_destroy(&cfg);
		return;
	}
	root = config_root_setting(&cfg);
	conf_check_keys(&ctx, root, CONF_PLACE_FILE,
	    "in a file of targets_dir (it may hold targets and defaults)");
	if ((s = config_setting_get_member(root, "defaults")) != NULL)
		conf_read_defaults(&ctx, s, &d);
	if ((s = config_setting_get_member(root, "targets")) != NULL)
		conf_targets(&ctx, s, &d, it->part);
	config_destroy(&cfg);
	free(ctx.tls);
	it->pool = ctx.pool;
}

static void
conf_dir_item(struct conf_dir_job *job, struct conf_dir_item *it)
{
	struct conf_file *f = it->file;
	struct stat st;
	char *text;
	int inc;

	if ((text = conf_read_text(f->path, &st, &it->errs)) == NULL)
		return;
	conf_file_note(f, &st);
	f->hashed = EVP_Digest(text, (size_t)f->st.size, f->hash, NULL,
	    EVP_sha256(), NULL) == 1;
	/* an @include'd file can change under an unchanged one: read it */
	if ((inc = conf_includes_ok(f->path, text, job->dir, &it->errs)) ==
	    -1) {
		free(text);
		return;
	}
	f->includes = inc;
	if (job->same_context && it->prev != NULL && !inc &&
	    f->hashed && it->prev->hashed &&
	    memcmp(it->prev->hash, f->hash, sizeof(f->hash)) == 0) {
		/* touched, not changed */
		f->same = it->prev;
	} else
		conf_dir_parse(job, it, text);
	free(text);
}

static void *
conf_dir_worker(void *arg)
{
	struct conf_dir_job *job = arg;
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->nitems)
		if (job->items[i].file->same == NULL)
			conf_dir_item(job, &job->items[i]);
	return NULL;
}

/* Run the job on up to one thread per core, this one among them. */
static void
conf_dir_run(struct conf_dir_job *job, size_t nwork)
{
	pthread_t tid[CONF_DIR_MAX_THREADS];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n, i, started = 0;

	n = ncpu > 0 ? (size_t)ncpu : 1;
	if (n > nwork)
		n = nwork;
	if (n > CONF_DIR_MAX_THREADS)
		n = CONF_DIR_MAX_THREADS;
	for (i = 1; i < n; i++)
		if (pthread_create(&tid[started], NULL, conf_dir_worker,
		    job) == 0)
			started++;
	conf_dir_worker(job);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

/*
 * Add each file of the directory to c->files (and a part for it to
 * c->parts), unchanged ones marked `same`; read and check the others.
 */
static int
conf_dir_items(struct conf *c, const struct conf *prev, int same_context,
    const struct strlist *names, struct conf_dir_item *items)
{
	struct conf_file *f, *pf;
	struct stat st;
	size_t i, nwork = 0;
	char *path;

	for (i = 0; i < names->n; i++) {
		if (asprintf(&path, "%s/%s", c->targets_dir,
		    names->msg[i]) == -1)
			return -1;
		memset(&st, 0, sizeof(st));
		(void)stat(path, &st);	/* conf_read_text says why not */
		if (conf_file_add(c, path, &st) == -1) {
			free(path);
			return -1;
		}
		free(path);
		f = items[i].file = c->files[c->nfiles - 1];
		pf = items[i].prev = conf_dir_prev(prev, f->path);
		if (same_context && pf != NULL && !pf->includes &&
		    pf->hashed && conf_file_same_stat(pf, &st)) {
			f->same = pf;
			f->hashed = 1;
			memcpy(f->hash, pf->hash, sizeof(f->hash));
		} else
			nwork++;
	}
	return (int)nwork;
}

int
conf_dir_read(struct conf *c, const struct conf *prev, int same_context,
    struct strlist *errs)
{
	struct conf_dir_job job = {
		.defaults = &c->defaults, .dir = c->targets_dir,
		.same_context = same_context,
	};
	struct strlist names = { NULL, 0, 0 };
	struct conf_part *p;
	char where[PATH_MAX + 16];
	size_t i, first = c->nfiles;
	int nwork;

	snprintf(where, sizeof(where), "%s:%d", c->path, c->targets_dir_line);
	if (conf_dir_list(c->targets_dir, &names, where, errs) == -1)
		return -1;
	if ((p = reallocarray(c->parts, first + names.n, sizeof(*p))) == NULL ||
	    (job.items = calloc(names.n + 1, sizeof(*job.items))) == NULL) {
		if (p != NULL)
			c->parts = p;
		strlist_add(errs, "%s: out of memory", where);
		strlist_clear(&names);
		return -1;
	}
	c->parts = p;
	memset(p + first, 0, names.n * sizeof(*p));
	for (i = 0; i < names.n; i++)
		job.items[i].part = &p[first + i];
	job.nitems = names.n;
	if ((nwork = conf_dir_items(c, prev, same_context, &names,
	    job.items)) == -1)
		strlist_add(errs, "%s: out of memory", where);
	else if (nwork > 0)
		conf_dir_run(&job, (size_t)nwork);
	for (i = 0; i < names.n && job.items[i].file != NULL; i++) {
		strlist_move(errs, &job.items[i].errs);
		/* the targets' strings: the config's to free */
		conf_pool_splice(&c->pool, &job.items[i].pool);
		if (job.items[i].file->same != NULL)
			c->nsame++;
	}
	free(job.items);
	strlist_clear(&names);
	return nwork == -1 ? -1 : 0;
}
