/*
 * check_conf_doc.c - futd.conf(5) against the loader's own tables, so
 * that the two never drift: every key futd accepts (conf_key_at, by
 * place) has its entry in the manual's section for that place, with its
 * default (or "Required"); every entry there is a key futd accepts; the
 * keys the manual says `defaults` may hold are the ones it takes; and
 * every number's range and default (conf_range_at) are the manual's; and
 * its examples load.
 * Part of the conf suite (conf_doc_tcase).
 *
 * The manual marks a key's entry as `.It Ic key ...` in a `.Bl` list of
 * the sections GLOBAL SETTINGS, TARGET FILES and TARGETS; its range is
 * written "MIN to MAX" and its default "Default: VALUE".
 */
#include <sys/stat.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "strlist.h"
#include "sys.h"
#include "tests.h"

#define DOC_MAX_ENTRIES	128
#define DOC_TEXT	2048

/* One `.It Ic key` of a section: its key and its words, macros aside. */
struct doc_entry {
	enum conf_place	 place;
	char		 key[64];
	char		 text[DOC_TEXT];
};

static struct doc_entry	 entries[DOC_MAX_ENTRIES];
static size_t		 nentries;
static char		*manual;	/* the whole page */
static char		 problems[8192];	/* each, to fail with at once */

static const struct {
	const char	*section;
	enum conf_place	 place;
} doc_sections[] = {
	{ "GLOBAL SETTINGS", CONF_PLACE_TOP },
	{ "TARGET FILES", CONF_PLACE_FILE },
	{ "TARGETS", CONF_PLACE_TARGET },
	{ "STEPS", CONF_PLACE_STEP },
};

/* the place of a section's entries; -1: a section of no keys */
static int
doc_place(const char *line)
{
	size_t i;

	for (i = 0; i < sizeof(doc_sections) / sizeof(*doc_sections); i++)
		if (strcmp(line + 4, doc_sections[i].section) == 0)
			return (int)doc_sections[i].place;
	return -1;
}

/* A line of the body, macro name dropped, added to e's text. */
static void
doc_add_text(struct doc_entry *e, const char *line)
{
	size_t off = strlen(e->text);

	if (line[0] == '.' && isalpha((unsigned char)line[1]))
		line += strcspn(line, " ") + (strchr(line, ' ') != NULL);
	snprintf(e->text + off, sizeof(e->text) - off, "%s ", line);
}

/* One line of the page: a section, a list, an entry, or its body. */
static void
doc_line(const char *line, int *place, int *depth, struct doc_entry **e)
{
	if (strncmp(line, ".Sh ", 4) == 0) {
		*place = doc_place(line);
		*depth = 0;
		*e = NULL;
	} else if (*place < 0)
		return;
	else if (strncmp(line, ".Bl", 3) == 0)
		++*depth;
	else if (strncmp(line, ".El", 3) == 0) {
		if (--*depth == 0)
			*e = NULL;
	} else if (*depth == 1 && strncmp(line, ".It Ic ", 7) == 0) {
		ck_assert_uint_lt(nentries, DOC_MAX_ENTRIES);
		*e = &entries[nentries++];
		(*e)->place = (enum conf_place)*place;
		sscanf(line + 7, "%63s", (*e)->key);
		doc_add_text(*e, line + 7 + strlen((*e)->key));
	} else if (*depth == 1 && strncmp(line, ".It", 3) == 0)
		*e = NULL;
	else if (*e != NULL)
		doc_add_text(*e, line);
}

static void
doc_setup(void)
{
	const char *src = getenv("FUTD_SRCDIR");
	char path[PATH_MAX], *line, *save = NULL, *copy;
	struct doc_entry *e = NULL;
	int place = -1, depth = 0;

	snprintf(path, sizeof(path), "%s%sconf/futd.conf.5",
	    src != NULL ? src : "", src != NULL && *src != '\0' ? "/" : "");
	manual = sys_read_file(path, NULL);
	ck_assert_msg(manual != NULL, "%s cannot be read (run from the repo "
	    "root or set FUTD_SRCDIR)", path);
	nentries = 0;
	memset(entries, 0, sizeof(entries));
	problems[0] = '\0';
	copy = strdup(manual);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		doc_line(line, &place, &depth, &e);
	free(copy);
}

static void
doc_teardown(void)
{
	free(manual);
	manual = NULL;
}

static const char *
doc_place_name(enum conf_place p)
{
	switch (p) {
	case CONF_PLACE_TOP:
		return "GLOBAL SETTINGS";
	case CONF_PLACE_FILE:
		return "TARGET FILES";
	case CONF_PLACE_TARGET:
		return "TARGETS";
	case CONF_PLACE_STEP:
		return "STEPS";
	default:
		return "defaults";
	}
}

static const struct doc_entry *
doc_find(enum conf_place p, const char *key)
{
	size_t i;

	for (i = 0; i < nentries; i++)
		if (entries[i].place == p && strcmp(entries[i].key, key) == 0)
			return &entries[i];
	return NULL;
}

static void
doc_problem(const char *fmt, ...)
{
	size_t off = strlen(problems);
	va_list ap;

	va_start(ap, fmt);
	if (off < sizeof(problems) - 3) {
		problems[off++] = '\n';
		problems[off++] = ' ';
		vsnprintf(problems + off, sizeof(problems) - off, fmt, ap);
	}
	va_end(ap);
}

/* Every key futd takes is described, with its default; nothing else is. */
START_TEST(test_doc_keys)
{
	static const enum conf_place places[] = {
		CONF_PLACE_TOP, CONF_PLACE_FILE, CONF_PLACE_TARGET,
		CONF_PLACE_STEP,
	};
	const struct doc_entry *e;
	const char *k;
	size_t i, j;

	ck_assert_uint_gt(nentries, 0);
	for (i = 0; i < sizeof(places) / sizeof(*places); i++)
		for (j = 0; (k = conf_key_at(places[i], j)) != NULL; j++) {
			if ((e = doc_find(places[i], k)) == NULL)
				doc_problem("no entry \".It Ic %s\" under %s, "
				    "and futd takes it there", k,
				    doc_place_name(places[i]));
			/* a step's action has no default: it is the step */
			else if (places[i] != CONF_PLACE_STEP &&
			    strstr(e->text, "Default") == NULL &&
			    strstr(e->text, "Required") == NULL)
				doc_problem("%s, %s: neither its default nor "
				    "\"Required\"", doc_place_name(places[i]),
				    k);
		}
	for (i = 0; i < nentries; i++) {
		for (j = 0; (k = conf_key_at(entries[i].place, j)) != NULL &&
		    strcmp(k, entries[i].key) != 0; j++)
			;
		if (k == NULL)
			doc_problem("\"%s\" described under %s, and futd does "
			    "not take it there", entries[i].key,
			    doc_place_name(entries[i].place));
	}
	ck_assert_msg(problems[0] == '\0', "futd.conf(5):%s", problems);
}
END_TEST

/* The keys the `defaults` entry lists are the ones defaults may hold. */
START_TEST(test_doc_defaults)
{
	const struct doc_entry *e = doc_find(CONF_PLACE_TOP, "defaults");
	char text[DOC_TEXT], *end, *w, *save = NULL;
	const char *k;
	size_t i, n = 0;

	ck_assert_ptr_nonnull(e);
	/* "Values every target gets ...: interval , timeout , ... and
	   flap_threshold , as described under" */
	snprintf(text, sizeof(text), "%s", e->text);
	ck_assert_ptr_nonnull((w = strchr(text, ':')));
	ck_assert_ptr_nonnull((end = strstr(w, "as described")));
	*end = '\0';
	for (w = strtok_r(w + 1, " ,", &save); w != NULL;
	    w = strtok_r(NULL, " ,", &save)) {
		if (strcmp(w, "and") == 0 || strcmp(w, "Ic") == 0)
			continue;
		for (i = 0; (k = conf_key_at(CONF_PLACE_DEFAULTS, i)) != NULL &&
		    strcmp(k, w) != 0; i++)
			;
		ck_assert_msg(k != NULL, "futd.conf(5) says defaults may hold "
		    "\"%s\", and futd refuses it there", w);
		n++;
	}
	for (i = 0; conf_key_at(CONF_PLACE_DEFAULTS, i) != NULL; i++)
		;
	ck_assert_msg(n == i, "futd.conf(5) lists %zu keys for defaults, "
	    "futd takes %zu: [%s]", n, i, e->text);
}
END_TEST

/* One number's entry against the loader's range and default. */
static void
doc_range(const struct conf_range *r)
{
	const struct doc_entry *e;
	const char *p;
	double lo, hi, d;
	char word[32];

	if ((e = doc_find(CONF_PLACE_TARGET, r->key)) == NULL &&
	    (e = doc_find(CONF_PLACE_TOP, r->key)) == NULL) {
		doc_problem("no entry for %s", r->key);
		return;
	}
	for (p = e->text; *p != '\0' && sscanf(p, "%lf to %lf", &lo, &hi) != 2;
	    p++)
		;
	if (*p == '\0')
		doc_problem("%s: no range \"MIN to MAX\" (futd: %g to %g)",
		    r->key, r->min, r->max);
	else if (lo != r->min || hi != r->max)
		doc_problem("%s: %g to %g, and futd takes %g to %g", r->key, lo,
		    hi, r->min, r->max);
	if (isnan(r->dflt) && strstr(e->text, "Required") != NULL)
		return;	/* port */
	if ((p = strstr(e->text, "Default: ")) == NULL ||
	    sscanf(p + 9, "%31s", word) != 1)
		doc_problem("%s: no default (futd's: %g)", r->key, r->dflt);
	else if (isnan(r->dflt) && strncmp(word, "none", 4) != 0)
		doc_problem("%s: default %s, futd's: none", r->key, word);
	else if (!isnan(r->dflt) && (sscanf(word, "%lf", &d) != 1 ||
	    d != r->dflt))
		doc_problem("%s: default %s, futd's: %g", r->key, word,
		    r->dflt);
}

/* Every number's range ("MIN to MAX") and default are the loader's. */
START_TEST(test_doc_ranges)
{
	size_t i;

	for (i = 0; conf_range_at(i) != NULL; i++)
		doc_range(conf_range_at(i));
	ck_assert_msg(problems[0] == '\0', "futd.conf(5):%s", problems);
}
END_TEST

/* What the page says of durations in general is the loader's too. */
START_TEST(test_doc_durations)
{
	const struct conf_range *r;
	char want[128];
	size_t i;

	for (i = 0; (r = conf_range_at(i)) != NULL; i++) {
		if (!r->seconds || r->min == 0)
			continue;
		snprintf(want, sizeof(want), "the smallest is %g and the "
		    "largest %g", r->min, r->max);
		ck_assert_msg(strstr(manual, want) != NULL, "futd.conf(5) "
		    "should say \"%s\" of durations", want);
	}
}
END_TEST

/*
 * The i-th `.Bd -literal` block of EXAMPLES as a file's text, roff's
 * escapes undone; NULL past the last.
 */
static char *
doc_example(int i)
{
	const char *p = strstr(manual, "\n.Sh EXAMPLES\n"), *end;
	char *out, *o;

	for (; p != NULL && i >= 0; i--)
		if ((p = strstr(p + 1, "\n.Bd -literal")) != NULL)
			p = strchr(p + 1, '\n');
	if (p == NULL || (end = strstr(p, "\n.Ed\n")) == NULL)
		return NULL;
	ck_assert_ptr_nonnull((out = malloc((size_t)(end - p) + 2)));
	for (o = out, p++; p <= end; p++) {
		if (strncmp(p, "\\e", 2) == 0) {
			*o++ = '\\';
			p++;
		} else if (strncmp(p, "\\(dq", 4) == 0) {
			*o++ = '"';
			p += 3;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

/*
 * The page's examples load: the first alone, the second as futd.conf
 * with the third as targets.d/cache.conf.
 */
START_TEST(test_doc_examples)
{
	struct strlist errs = { NULL, 0, 0 };
	char dir[PATH_MAX], path[PATH_MAX], tdir[PATH_MAX], sub[PATH_MAX];
	char *text;
	struct conf *c;
	int i;

	ck_assert_int_eq(sys_tmpdir(dir, sizeof(dir)), 0);
	sys_path_in(path, sizeof(path), dir, "futd.conf");
	sys_path_in(tdir, sizeof(tdir), dir, "targets.d");
	ck_assert_int_eq(mkdir(tdir, 0755), 0);
	sys_path_in(sub, sizeof(sub), tdir, "cache.conf");
	for (i = 2; i >= 0; i--) {
		ck_assert_msg((text = doc_example(i)) != NULL, "futd.conf(5) "
		    "has no example %d", i + 1);
		sys_write_filef(i == 2 ? sub : path, "%s", text);
		free(text);
		if (i == 2)
			continue;
		c = conf_load(path, &errs, NULL);
		ck_assert_msg(c != NULL, "futd.conf(5)'s example %d does not "
		    "load: %s", i + 1, errs.n > 0 ? errs.msg[0] : "");
		ck_assert_uint_eq(c->ntargets, i == 0 ? 6 : 2);
		conf_free(c);
	}
	sys_rmtree(dir);
}
END_TEST

/* The loader looks keys up by bsearch: each place's must be sorted. */
START_TEST(test_doc_sorted)
{
	static const enum conf_place places[] = {
		CONF_PLACE_TOP, CONF_PLACE_DEFAULTS, CONF_PLACE_FILE,
		CONF_PLACE_TARGET, CONF_PLACE_STEP,
	};
	const char *k, *next;
	size_t i, j;

	for (i = 0; i < sizeof(places) / sizeof(*places); i++)
		for (j = 0; (k = conf_key_at(places[i], j)) != NULL &&
		    (next = conf_key_at(places[i], j + 1)) != NULL; j++)
			ck_assert_msg(strcmp(k, next) < 0, "keys of %s: \"%s\" "
			    "before \"%s\"", doc_place_name(places[i]), k,
			    next);
}
END_TEST

TCase *
conf_doc_tcase(void)
{
	TCase *tc = tcase_create("manual");

	tcase_add_checked_fixture(tc, doc_setup, doc_teardown);
	tcase_add_test(tc, test_doc_keys);
	tcase_add_test(tc, test_doc_defaults);
	tcase_add_test(tc, test_doc_ranges);
	tcase_add_test(tc, test_doc_durations);
	tcase_add_test(tc, test_doc_sorted);
	tcase_add_test(tc, test_doc_examples);
	return tc;
}
