/*
 * conf_syntax.c - what libconfig 1.5's "syntax error" probably is.
 *
 * libconfig says "syntax error" and a line, nothing more.  This reads the
 * text again with a scanner and a parser of libconfig's grammar of its
 * own, small and without values, stops at the first token that does not
 * fit and, when that is on the line libconfig named (so that both agree
 * on where), says what the mistake likely is: a ',' missing between two
 * groups of a list, one after the last, a string without quotes, a unit
 * after a number, a bracket not closed.  Only ever a hint added to the
 * message: a text libconfig read is never looked at here.
 *
 * The grammar (libconfig 1.5, grammar.y):
 *   setting  := NAME ('=' | ':') value [';' | ',']
 *   value    := scalar | STRING+ | '[' scalars ']' | '(' values ')'
 *             | '{' setting* '}'
 * scalars and values separated by ',', none after the last.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf_priv.h"

enum syn_tok {
	S_EOF,
	S_STRING,
	S_UNCLOSED,		/* a string the text ends in */
	S_NAME,
	S_SCALAR,		/* a number, true, false */
	S_GARBAGE,		/* a character that is none of these */
	S_QUOTE1,		/* ' */
	S_INCLUDE,
	S_PUNCT			/* one of = : ; , { } ( ) [ ] */
};

struct syn_scan {
	const char		*p;
	int			 line;
	enum syn_tok		 t;
	const char		*s;	/* the token's text */
	size_t			 len;
	int			 tline;	/* its line */
};

/* what an open bracket holds */
enum syn_kind { SK_TOP, SK_GROUP, SK_LIST, SK_ARRAY };

/* where in it the parser is */
enum syn_state {
	P_NAME,		/* a setting's name (or the group's end) */
	P_TERM,		/* after a setting: ';', ',', or as P_NAME */
	P_EQ,		/* after a name: '=' or ':' */
	P_VALUE,	/* after '=' */
	P_STR,		/* after a string value: another string, or P_TERM */
	P_FIRST,	/* a list's first value, or its end */
	P_SEP,		/* after a list's value: ',' or the end */
	P_SEPSTR,	/* after a list's string: another string, or P_SEP */
	P_NEXT		/* after a list's ',': a value */
};

#define SYN_DEPTH	64
#define SYN_SHOW	40	/* of a token, in a message */

struct syn_frame {
	enum syn_kind		 kind;
	enum syn_state		 state;
	int			 line;		/* of its bracket */
	char			 open;
	const char		*own;		/* the setting it is the value
						   of (NULL: a list's element) */
	size_t			 ownlen;
	const char		*name;		/* the last setting's in it */
	size_t			 namelen;
};

struct syn_parse {
	struct syn_scan		 sc;
	struct syn_frame	 f[SYN_DEPTH];
	int			 depth;
	enum syn_tok		 prev_t;
	char			 prev_c;	/* of a S_PUNCT */
	const char		*prev_end;	/* just past it */
	int			 deep;		/* nested past SYN_DEPTH */
	/*
	 * The last value, when more text is glued to it: "127.0.0.1" is
	 * 127.0 and .0 and .1 to libconfig, "1.5s" 1.5 and a name s.
	 */
	const char		*glue;
	int			 glue_line;
	const char		*glue_name;	/* its setting's */
	size_t			 glue_namelen;
};

#define SYN_PUNCT	"=:;,{}()[]"
/* where what looks like one value ends */
#define SYN_STOP	" \t\r\n\f\v;,{}()[]\"'#"

/* L or LL after an integer */
static size_t
syn_match_l(const char *s, size_t i)
{
	if (s[i] == 'L')
		i += s[i + 1] == 'L' ? 2 : 1;
	return i;
}

/* [eE][-+]?[0-9]+ at s + i, if there */
static size_t
syn_match_exp(const char *s, size_t i)
{
	size_t j = i + 1;

	if (s[i] != 'e' && s[i] != 'E')
		return i;
	if (s[j] == '+' || s[j] == '-')
		j++;
	if (!isdigit((unsigned char)s[j]))
		return i;
	while (isdigit((unsigned char)s[j]))
		j++;
	return j;
}

/* The longest number of libconfig's at s: integer, hex, float; 0: none. */
static size_t
syn_match_number(const char *s)
{
	size_t i = 0, j, k, best = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2])) {
		for (j = 2; isxdigit((unsigned char)s[j]); j++)
			;
		return syn_match_l(s, j);
	}
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (j = i; isdigit((unsigned char)s[j]); j++)
		;
	if (j > i)
		best = syn_match_l(s, j);
	if (s[j] == '.') {
		for (k = j + 1; isdigit((unsigned char)s[k]); k++)
			;
		k = syn_match_exp(s, k);
		best = k > best ? k : best;
	} else if (j > i && (k = syn_match_exp(s, j)) > j)
		best = k > best ? k : best;
	return best;
}

/* [A-Za-z*][-A-Za-z0-9_*]* */
static size_t
syn_match_name(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]) && s[0] != '*')
		return 0;
	for (i = 1; isalnum((unsigned char)s[i]) || s[i] == '-' ||
	    s[i] == '_' || s[i] == '*'; i++)
		;
	return i;
}

/* s (n bytes) is word, case aside */
static int
syn_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

/* The token at sc->p as libconfig's flex scanner takes it: the longest. */
static void
syn_word(struct syn_scan *sc)
{
	size_t num = syn_match_number(sc->p), name = syn_match_name(sc->p);

	if (num == 0 && name == 0) {
		sc->t = S_GARBAGE;
		sc->p++;
	} else if (num > name) {
		sc->t = S_SCALAR;
		sc->p += num;
	} else {
		sc->t = syn_is(sc->p, name, "true") ||
		    syn_is(sc->p, name, "false") ? S_SCALAR : S_NAME;
		sc->p += name;
	}
}

/* What looks like one value from s on, written without quotes */
static size_t
syn_run(const char *s)
{
	return strcspn(s, SYN_STOP);
}

/* What looks like one setting's name from s on */
static size_t
syn_namerun(const char *s)
{
	return strcspn(s, SYN_STOP "=:");
}

/* blanks and comments; 0 at the end of the text */
static int
syn_skip(struct syn_scan *sc)
{
	for (;;) {
		if (*sc->p == '\n')
			sc->line++;
		if (isspace((unsigned char)*sc->p))
			sc->p++;
		else if (*sc->p == '#' || (sc->p[0] == '/' && sc->p[1] == '/'))
			sc->p += strcspn(sc->p, "\n");
		else if (sc->p[0] == '/' && sc->p[1] == '*') {
			for (sc->p += 2; *sc->p != '\0' &&
			    (sc->p[0] != '*' || sc->p[1] != '/'); sc->p++)
				if (*sc->p == '\n')
					sc->line++;
			if (*sc->p != '\0')
				sc->p += 2;
		} else
			return *sc->p != '\0';
	}
}

static void
syn_next(struct syn_scan *sc)
{
	const char *q;

	sc->t = S_EOF;
	sc->len = 0;
	if (!syn_skip(sc)) {
		sc->s = sc->p;
		sc->tline = sc->line;
		return;
	}
	sc->s = sc->p;
	sc->tline = sc->line;
	if (*sc->p == '"') {
		for (q = sc->p + 1; *q != '\0' && *q != '"'; q++) {
			if (*q == '\\' && q[1] != '\0')
				q++;
			if (*q == '\n')
				sc->line++;
		}
		sc->t = *q == '"' ? S_STRING : S_UNCLOSED;
		sc->p = *q == '"' ? q + 1 : q;
	} else if (strncmp(sc->p, "@include", 8) == 0) {
		sc->t = S_INCLUDE;
		sc->p += 8;
	} else if (*sc->p == '\'') {
		sc->t = S_QUOTE1;
		sc->p++;
	} else if (strchr(SYN_PUNCT, *sc->p) != NULL) {
		sc->t = S_PUNCT;
		sc->p++;
	} else
		syn_word(sc);
	sc->len = (size_t)(sc->p - sc->s);
}

static const char *
syn_closer(char open)
{
	return open == '{' ? "}" : open == '(' ? ")" : "]";
}

/* "a list", "a group", "an array": what the frame is */
static const char *
syn_what(const struct syn_frame *f)
{
	return f->kind == SK_LIST ? "list" : f->kind == SK_ARRAY ? "array" :
	    "group";
}

/* A value begins: a scalar or string is whole; a bracket opens a frame. */
static int
syn_value(struct syn_parse *ps, struct syn_frame *f)
{
	struct syn_scan *sc = &ps->sc;
	struct syn_frame *n;
	char c = sc->t == S_PUNCT ? *sc->s : '\0';

	if (sc->t == S_SCALAR || sc->t == S_STRING) {
		ps->glue = NULL;
		if (sc->t == S_SCALAR && syn_run(sc->s) > sc->len) {
			ps->glue = sc->s;
			ps->glue_line = sc->tline;
			ps->glue_name = f->kind == SK_ARRAY ||
			    f->kind == SK_LIST ? NULL : f->name;
			ps->glue_namelen = f->namelen;
		}
		if (f->kind == SK_TOP || f->kind == SK_GROUP)
			f->state = sc->t == S_STRING ? P_STR : P_TERM;
		else
			f->state = sc->t == S_STRING ? P_SEPSTR : P_SEP;
		return 0;
	}
	if ((c != '{' && c != '(' && c != '[') || f->kind == SK_ARRAY)
		return -1;
	if (ps->depth + 1 >= SYN_DEPTH) {
		ps->deep = 1;	/* not followed: no hint */
		return -1;
	}
	n = &ps->f[++ps->depth];
	n->kind = c == '{' ? SK_GROUP : c == '(' ? SK_LIST : SK_ARRAY;
	n->state = c == '{' ? P_NAME : P_FIRST;
	n->line = sc->tline;
	n->open = c;
	n->own = f->kind == SK_TOP || f->kind == SK_GROUP ? f->name : NULL;
	n->ownlen = f->namelen;
	n->name = NULL;
	n->namelen = 0;
	return 0;
}

/* A bracket closes its frame: the parent's value is done. */
static int
syn_close(struct syn_parse *ps, struct syn_frame *f, char c)
{
	struct syn_frame *up;

	if (f->kind == SK_TOP || c != *syn_closer(f->open))
		return -1;
	if (f->kind != SK_GROUP && f->state == P_NEXT)
		return -1;	/* a ',' after the last */
	up = &ps->f[--ps->depth];
	up->state = up->kind == SK_TOP || up->kind == SK_GROUP ? P_TERM : P_SEP;
	return 0;
}

/* One token in frame f: 0 when it fits, -1 when it does not. */
static int
syn_step(struct syn_parse *ps, struct syn_frame *f)
{
	struct syn_scan *sc = &ps->sc;
	char c = sc->t == S_PUNCT ? *sc->s : '\0';

	if (c == '}' || c == ')' || c == ']')
		return f->state == P_EQ || f->state == P_VALUE ? -1 :
		    syn_close(ps, f, c);
	switch (f->state) {
	case P_STR:
	case P_SEPSTR:
		if (sc->t == S_STRING)
			return 0;	/* "a" "b" is "ab" */
		f->state = f->state == P_STR ? P_TERM : P_SEP;
		return syn_step(ps, f);
	case P_TERM:
		if (c == ';' || c == ',') {
			f->state = P_NAME;
			return 0;
		}
		/* FALLTHROUGH */
	case P_NAME:
		if (sc->t != S_NAME)
			return -1;
		f->name = sc->s;
		f->namelen = sc->len;
		f->state = P_EQ;
		return 0;
	case P_EQ:
		if (c != '=' && c != ':')
			return -1;
		f->state = P_VALUE;
		return 0;
	case P_SEP:
		if (c != ',')
			return -1;
		f->state = P_NEXT;
		return 0;
	case P_VALUE:
	case P_FIRST:
	case P_NEXT:
		if (f->kind == SK_ARRAY && sc->t != S_SCALAR &&
		    sc->t != S_STRING)
			return -1;
		return syn_value(ps, f);
	}
	return -1;
}

/*
 * A value written without quotes (w, n bytes, of the setting name): a
 * number with a unit ("1.5s", "10%"), yes or no, or a string.
 */
static void
syn_hint_word(const char *w, size_t n, const char *name, size_t namelen,
    char *buf, size_t len)
{
	int nl = name == NULL ? 0 : namelen > SYN_SHOW ? SYN_SHOW :
	    (int)namelen;
	int wl = n > SYN_SHOW ? SYN_SHOW : (int)n;
	const char *eq = nl > 0 ? " = " : "";
	size_t num = syn_match_number(w), i;

	for (i = num; i < n && (isalpha((unsigned char)w[i]) || w[i] == '%');
	    i++)
		;
	if (num > 0 && num < n && i == n)
		snprintf(buf, len, "a number takes no unit%s: %.*s%s%.*s",
		    w[num] == '%' ? "" : " (durations are in seconds)", nl,
		    nl > 0 ? name : "", eq, (int)num, w);
	else if (syn_is(w, n, "yes") || syn_is(w, n, "no") ||
	    syn_is(w, n, "on") || syn_is(w, n, "off") ||
	    (n >= 2 && (strncasecmp(w, "true", n) == 0 ||
	    strncasecmp(w, "false", n) == 0)))
		snprintf(buf, len, "write true or false, not %.*s", wl, w);
	else
		snprintf(buf, len, "a string needs double quotes: %.*s%s"
		    "\"%.*s\"", nl, nl > 0 ? name : "", eq, wl, w);
}

/* Where a value belongs: something else. */
static void
syn_hint_value(const struct syn_parse *ps, const struct syn_frame *f,
    char *buf, size_t len)
{
	const struct syn_scan *sc = &ps->sc;
	const char *name = f->kind == SK_GROUP || f->kind == SK_TOP ?
	    f->name : NULL;
	int nl = f->namelen > SYN_SHOW ? SYN_SHOW : (int)f->namelen;

	if (sc->t == S_QUOTE1)
		snprintf(buf, len, "a string takes double quotes \"...\", not "
		    "single ones");
	else if (sc->t == S_PUNCT && (*sc->s == '=' || *sc->s == ':'))
		snprintf(buf, len, "one '=' or ':' too many");
	else if (f->kind == SK_LIST && sc->t == S_NAME &&
	    (sc->p[strspn(sc->p, " \t")] == '=' ||
	    sc->p[strspn(sc->p, " \t")] == ':'))
		snprintf(buf, len, "a setting in a list, outside a group: a "
		    "'{' missing before %.*s?", (int)(sc->len > SYN_SHOW ?
		    SYN_SHOW : sc->len), sc->s);
	else if (f->kind == SK_ARRAY && sc->t == S_PUNCT &&
	    strchr("{([", *sc->s) != NULL)
		snprintf(buf, len, "an array [ ... ] holds only numbers or "
		    "strings; a list of groups is written ( { ... }, ... )");
	else if (syn_run(sc->s) > 0)
		syn_hint_word(sc->s, syn_run(sc->s), name, f->namelen, buf,
		    len);
	else if (name != NULL)
		snprintf(buf, len, "a value is missing after %.*s =", nl,
		    name);
	else
		snprintf(buf, len, "a value is missing");
}

/* A bracket that closes the wrong thing, or nothing, or too late. */
static int
syn_hint_close(const struct syn_parse *ps, const struct syn_frame *f, char c,
    char *buf, size_t len)
{
	if (ps->sc.t == S_EOF && f->kind != SK_TOP)
		snprintf(buf, len, "the '%c' of line %d is never closed "
		    "(a '%s' missing?)", f->open, f->line, syn_closer(f->open));
	else if (c != '}' && c != ')' && c != ']')
		return -1;
	else if (f->kind == SK_TOP)
		snprintf(buf, len, "'%c' closes nothing: one too many?", c);
	else if (f->kind != SK_GROUP && f->state == P_NEXT &&
	    c == *syn_closer(f->open))
		snprintf(buf, len, "a ',' after the last element of a %s: "
		    "remove it", syn_what(f));
	else if (c != *syn_closer(f->open))
		snprintf(buf, len, "'%c' does not close the '%c' of line %d "
		    "(a '%s' missing before it?)", c, f->open, f->line,
		    syn_closer(f->open));
	else
		return -1;
	return 0;
}

/* After a list's element: something else than ',' or its end. */
static void
syn_hint_sep(const struct syn_parse *ps, const struct syn_frame *f,
    char *buf, size_t len)
{
	const struct syn_scan *sc = &ps->sc;
	char c = sc->t == S_PUNCT ? *sc->s : '\0';

	if (c == '{' && ps->prev_c == '}')
		snprintf(buf, len, "missing ',' between two groups of a list?");
	else if (c == ';')
		snprintf(buf, len, "the elements of a %s are separated by ',', "
		    "not ';'", syn_what(f));
	else if (sc->t == S_NAME)
		snprintf(buf, len, "the '%c' of line %d is not closed (a '%s' "
		    "missing before %.*s?)", f->open, f->line,
		    syn_closer(f->open),
		    sc->len > SYN_SHOW ? SYN_SHOW : (int)sc->len, sc->s);
	else
		snprintf(buf, len, "missing ',' between two elements of a %s?",
		    syn_what(f));
}

/* Where a setting's name belongs: something else. */
static void
syn_hint_name(const struct syn_parse *ps, const struct syn_frame *f,
    char *buf, size_t len)
{
	const struct syn_scan *sc = &ps->sc;
	char c = sc->t == S_PUNCT ? *sc->s : '\0';
	size_t run = syn_namerun(sc->s);
	int sl = run > SYN_SHOW ? SYN_SHOW : (int)run;
	int nl = f->namelen > SYN_SHOW ? SYN_SHOW : (int)f->namelen;
	int ol = f->ownlen > SYN_SHOW ? SYN_SHOW : (int)f->ownlen;

	if ((c == ';' || c == ',') && (ps->prev_c == ';' ||
	    ps->prev_c == ','))
		snprintf(buf, len, "one '%c' too many", c);
	else if (c == '{' && f->kind == SK_GROUP && f->own == NULL)
		snprintf(buf, len, "the '{' of line %d is not closed (a '}' "
		    "missing before it?)", f->line);
	else if (c == '{' && f->kind == SK_GROUP)
		snprintf(buf, len, "%.*s = { ... } holds name = value "
		    "settings; a list of groups is written %.*s = ( { ... }, "
		    "... )", ol, f->own, ol, f->own);
	else if (c == '{')
		snprintf(buf, len, "a group needs a name (name = { ... }) or a "
		    "list around it: ( { ... }, ... )");
	else if (sc->t == S_STRING)
		snprintf(buf, len, "a setting's name takes no quotes");
	else if (sc->t == S_GARBAGE || sc->t == S_SCALAR)
		snprintf(buf, len, "%.*s is not a setting's name (letters, "
		    "digits, '_' and '-', a letter first)", sl, sc->s);
	else if (ps->prev_t == S_SCALAR || ps->prev_t == S_STRING)
		snprintf(buf, len, "one value too many after %.*s =", nl,
		    f->name != NULL ? f->name : "");
	else
		snprintf(buf, len, "a setting is written name = value;");
}

static void
syn_hint(const struct syn_parse *ps, char *buf, size_t len)
{
	const struct syn_frame *f = &ps->f[ps->depth];
	const struct syn_scan *sc = &ps->sc;
	char c = sc->t == S_PUNCT ? *sc->s : '\0';
	int nl = f->namelen > SYN_SHOW ? SYN_SHOW : (int)f->namelen;

	if (sc->t == S_UNCLOSED)
		snprintf(buf, len, "the string of line %d is never closed "
		    "(a '\"' missing?)", sc->tline);
	else if (sc->t == S_STRING && sc->tline != sc->line)
		snprintf(buf, len, "the string of line %d runs to line %d: a "
		    "'\"' too many or missing?", sc->tline, sc->line);
	else if (ps->prev_t == S_STRING && sc->s == ps->prev_end &&
	    sc->t != S_PUNCT)
		snprintf(buf, len, "text right after a string: a '\"' too many "
		    "or missing?");
	else if (ps->glue != NULL && ps->glue_line == sc->tline)
		syn_hint_word(ps->glue, syn_run(ps->glue), ps->glue_name,
		    ps->glue_namelen, buf, len);
	else if (syn_hint_close(ps, f, c, buf, len) == 0)
		;
	else if (sc->t == S_QUOTE1 || f->state == P_VALUE ||
	    f->state == P_FIRST || f->state == P_NEXT)
		syn_hint_value(ps, f, buf, len);
	else if (f->state == P_EQ && syn_namerun(f->name) > f->namelen)
		snprintf(buf, len, "%.*s is not a setting's name (letters, "
		    "digits, '_' and '-', a letter first)",
		    (int)(syn_namerun(f->name) > SYN_SHOW ? SYN_SHOW :
		    syn_namerun(f->name)), f->name);
	else if (f->state == P_EQ && (c == ';' || c == ','))
		snprintf(buf, len, "%.*s has no value: write %.*s = value;",
		    nl, f->name, nl, f->name);
	else if (f->state == P_EQ)
		snprintf(buf, len, "missing '=' after %.*s?", nl, f->name);
	else if (f->state == P_SEP || f->state == P_SEPSTR)
		syn_hint_sep(ps, f, buf, len);
	else
		syn_hint_name(ps, f, buf, len);
}

/*
 * What the syntax error libconfig found on line `line` of text probably
 * is, into buf: 0, or -1 when this parser finds none there (or finds the
 * text good: libconfig knows better).
 */
int
conf_syntax_hint(const char *text, int line, char *buf, size_t len)
{
	struct syn_parse ps;
	struct syn_frame *f;

	memset(&ps, 0, sizeof(ps));
	ps.sc.p = text;
	ps.sc.line = 1;
	ps.f[0].kind = SK_TOP;
	ps.f[0].state = P_NAME;
	ps.prev_t = S_EOF;
	for (;;) {
		syn_next(&ps.sc);
		f = &ps.f[ps.depth];
		if (ps.sc.t == S_INCLUDE)
			return -1;	/* what it brings in is not seen */
		/* libconfig takes a string the text ends in as the end */
		if ((ps.sc.t == S_EOF || ps.sc.t == S_UNCLOSED) &&
		    ps.depth == 0 &&
		    (f->state == P_NAME || f->state == P_TERM ||
		    f->state == P_STR))
			return -1;
		if (ps.sc.t == S_EOF || ps.sc.t == S_UNCLOSED ||
		    ps.sc.t == S_GARBAGE || ps.sc.t == S_QUOTE1 ||
		    syn_step(&ps, f) == -1)
			break;
		ps.prev_t = ps.sc.t;
		ps.prev_c = ps.sc.t == S_PUNCT ? *ps.sc.s : '\0';
		ps.prev_end = ps.sc.p;
	}
	if (ps.deep)
		return -1;
	/* libconfig tells the line a token ends on (a string's may not be
	   its first) */
	if (ps.sc.line != line)
		return -1;
	syn_hint(&ps, buf, len);
	return 0;
}
