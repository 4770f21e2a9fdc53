/*
 * conf_read.c - a file's text for libconfig, checked first for what would
 * end futd inside libconfig 1.5: an @include of anything but a regular
 * file (a directory makes its flex scanner call exit(2); a FIFO blocks
 * open() forever).  And the struct conf_file that remembers a file read.  libconfig 1.7's config_set_include_func() would let
 * us do this as it reads; Debian 12 ships 1.5.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_priv.h"

#define CONF_INCLUDE_DEPTH	10	/* libconfig's own limit */

/*
 * The whole of path, NUL-terminated, if it is a regular file; NULL with
 * errs told.  st: what fstat() said of it.
 */
char *
conf_read_text(const char *path, struct stat *st, struct strlist *errs)
{
	char *buf = NULL;
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, st) == -1) {
		strlist_add(errs, "%s: cannot be read: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		strlist_add(errs, "%s: cannot be read: %s", path,
		    S_ISDIR(st->st_mode) ? strerror(EISDIR) :
		    "not a regular file");
		goto out;
	}
	if ((buf = malloc((size_t)st->st_size + 1)) == NULL) {
		strlist_add(errs, "%s: out of memory", path);
		goto out;
	}
	while (off < (size_t)st->st_size &&
	    (n = read(fd, buf + off, (size_t)st->st_size - off)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			strlist_add(errs, "%s: cannot be read: %s", path,
			    strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
		off += (size_t)n;
	}
	buf[off] = '\0';
	st->st_size = (off_t)off;	/* what was read is what counts */
 out:
	if (fd != -1)
		close(fd);
	return buf;
}

/*
 * The name of an @include line as libconfig 1.5's scanner takes it
 * (^[ \t]*@include[ \t]+"NAME"), or NULL; *end: past the name.
 */
static char *
conf_include_name(const char *line, const char **end)
{
	const char *p = line + strspn(line, " \t"), *q;

	if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
		return NULL;
	p += 8;
	p += strspn(p, " \t");
	if (*p != '"' || (q = strpbrk(p + 1, "\"\n")) == NULL || *q != '"')
		return NULL;
	*end = q + 1;
	return strndup(p + 1, (size_t)(q - p - 1));
}

/*
 * Every @include of text (read from path, its includes looked up in dir
 * as libconfig does: dir/NAME) names a regular file, and so on down.
 * -1 with errs told.
 */
int
conf_includes_ok(const char *path, const char *text, const char *dir,
    int depth, struct strlist *errs)
{
	const char *line, *end;
	char *name, *inc, *sub;
	struct stat st;
	int lineno = 1, rc = 0;

	for (line = text; *line != '\0'; lineno++) {
		sub = NULL;
		if ((name = conf_include_name(line, &end)) != NULL) {
			if (asprintf(&inc, "%s%s%s", dir != NULL ? dir : "",
			    dir != NULL ? "/" : "", name) == -1)
				inc = NULL;
			if (inc == NULL || depth >= CONF_INCLUDE_DEPTH ||
			    stat(inc, &st) == -1 || !S_ISREG(st.st_mode)) {
				strlist_add(errs, "%s:%d: cannot include \"%s\": "
				    "%s", path, lineno, name, inc == NULL ?
				    "out of memory" : depth >= CONF_INCLUDE_DEPTH ?
				    "included too deep" : stat(inc, &st) == -1 ?
				    strerror(errno) : S_ISDIR(st.st_mode) ?
				    strerror(EISDIR) : "not a regular file");
				rc = -1;
			} else if ((sub = conf_read_text(inc, &st, errs)) ==
			    NULL ||
			    conf_includes_ok(inc, sub, dir, depth + 1, errs) ==
			    -1)
				rc = -1;
			free(sub);
			free(inc);
			free(name);
		}
		if ((end = strchr(line, '\n')) == NULL)
			break;
		line = end + 1;
	}
	return rc;
}

/* A file read for c, as stat() saw it (st may be NULL). */
int
conf_file_add(struct conf *c, const char *path, const struct stat *st)
{
	struct conf_file *f, **files;

	if ((files = reallocarray(c->files, c->nfiles + 1,
	    sizeof(*files))) == NULL)
		return -1;
	c->files = files;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if ((f->path = strdup(path)) == NULL) {
		free(f);
		return -1;
	}
	if (st != NULL) {
		f->size = st->st_size;
		f->mtime = st->st_mtim;
	}
	c->files[c->nfiles++] = f;
	return 0;
}

void
conf_file_free(struct conf_file *f)
{
	if (f == NULL)
		return;
	free(f->path);
	free(f);
}
