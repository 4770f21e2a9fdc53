/*
 * conf_read.c - a file's text for libconfig, checked first for what would
 * end futd inside libconfig 1.5: an @include of anything but a regular
 * file (a directory makes its flex scanner call exit(2); a FIFO blocks
 * open() forever).  libconfig 1.7's config_set_include_func() would let
 * us do this as it reads; Debian 12 ships 1.5.  And the struct conf_file
 * that remembers a file read.
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
#define CONF_INCLUDE_MAX	1000	/* files included, in all */

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
	if ((buf = malloc((size_t)st->st_size + 2)) == NULL) {
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
	st->st_size = (off_t)off;	/* what was read is what counts */
	/* libconfig 1.5 wants a comment on the last line ended */
	if (off > 0 && buf[off - 1] != '\n')
		buf[off++] = '\n';
	buf[off] = '\0';
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
	if (*p != '"')
		return NULL;
	/* libconfig decodes \" and \\ in the name: the name is all to the
	   closing quote that is not escaped, or the line's end */
	for (q = p + 1; *q != '\0' && *q != '\n' && *q != '"'; q++)
		if (*q == '\\' && q[1] != '\0')
			q++;
	*end = q;
	return strndup(p + 1, (size_t)(q - p - 1));
}

/*
 * Every @include of text (read from path, its includes looked up in dir
 * as libconfig does: dir/NAME) names a regular file, and so on down, at
 * most CONF_INCLUDE_MAX of them in all (*count).  -1 with errs told; an
 * included file's walk ends at its first refusal: a file that includes
 * itself must not be read again and again.
 */
static int
conf_includes_walk(const char *path, const char *text, const char *dir,
    int depth, unsigned *count, struct strlist *errs)
{
	const char *line, *end, *why;
	char *name, *inc = NULL, *sub;
	struct stat st;
	int lineno = 1, rc = 0;

	/* every refusal of the file itself; below it, the first ends it */
	for (line = text; *line != '\0' && (rc == 0 || depth == 0);
	    lineno++) {
		if ((name = conf_include_name(line, &end)) != NULL) {
			why = NULL;
			if (strpbrk(name, "\\\n\"") != NULL)
				why = "a name with a backslash, a quote or a "
				    "line break";
			else if (asprintf(&inc, "%s%s%s", dir != NULL ? dir :
			    "", dir != NULL ? "/" : "", name) == -1) {
				inc = NULL;
				why = "out of memory";
			} else if (depth >= CONF_INCLUDE_DEPTH ||
			    ++*count > CONF_INCLUDE_MAX)
				why = "included too deep or too often";
			else if (stat(inc, &st) == -1)
				why = strerror(errno);
			else if (!S_ISREG(st.st_mode))
				why = S_ISDIR(st.st_mode) ? strerror(EISDIR) :
				    "not a regular file";
			if (why != NULL) {
				strlist_add(errs, "%s:%d: cannot include "
				    "\"%s\": %s", path, lineno, name, why);
				rc = -1;
			} else if ((sub = conf_read_text(inc, &st, errs)) ==
			    NULL)
				rc = -1;
			else {
				if (conf_includes_walk(inc, sub, dir,
				    depth + 1, count, errs) == -1)
					rc = -1;
				free(sub);
			}
			free(inc);
			inc = NULL;
			free(name);
		}
		if ((end = strchr(line, '\n')) == NULL)
			break;
		line = end + 1;
	}
	return rc;
}

/* 1 when text has an @include line, -1 when one is refused (errs told). */
int
conf_includes_ok(const char *path, const char *text, const char *dir,
    struct strlist *errs)
{
	unsigned count = 0;

	if (conf_includes_walk(path, text, dir, 0, &count, errs) == -1)
		return -1;
	return count > 0;
}

void
conf_file_note(struct conf_file *f, const struct stat *st)
{
	f->st.dev = st->st_dev;
	f->st.ino = st->st_ino;
	f->st.size = st->st_size;
	f->st.mtime = st->st_mtim;
	f->st.ctime = st->st_ctim;
}

/*
 * Is st the file f was, untouched?  Size, times and identity: a content
 * changed under the same size and mtime (cp -p, a tar) changes ctime, and
 * a file renamed into place has another inode.
 */
int
conf_file_same_stat(const struct conf_file *f, const struct stat *st)
{
	const struct conf_file_stat *fs = &f->st;

	return S_ISREG(st->st_mode) && fs->dev == st->st_dev &&
	    fs->ino == st->st_ino && fs->size == st->st_size &&
	    fs->mtime.tv_sec == st->st_mtim.tv_sec &&
	    fs->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    fs->ctime.tv_sec == st->st_ctim.tv_sec &&
	    fs->ctime.tv_nsec == st->st_ctim.tv_nsec;
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
	if (st != NULL)
		conf_file_note(f, st);
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
