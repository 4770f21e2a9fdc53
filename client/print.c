/*
 * print.c - how futctl writes words from futd: every control character
 * shown as '?', so that a name or a message holding "\n" or an escape
 * sequence cannot break the layout or play with the terminal; the
 * columns a string takes on a terminal, and where to cut it so that it
 * fits; and how wide the terminal is.
 */
#include <sys/ioctl.h>

#include <langinfo.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "futctl.h"
#include "print.h"

#define PRINT_COLUMNS_DEFAULT	80	/* not a terminal, no $COLUMNS */
#define PRINT_COLUMNS_MAX	10000	/* a $COLUMNS beyond this is noise */

static size_t	 print_char(const char *, uint32_t *);
static size_t	 print_cwidth(uint32_t);

/*
 * Say "futctl: <message>" on stderr: for main() and the parser's errors,
 * with the same care for control characters as the rest.
 */
void
print_warnx(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("futctl: ", stderr);
	va_start(ap, fmt);
	print_vline(stderr, fmt, ap);
	va_end(ap);
}

/*
 * One UTF-8 character at s (not at its end): its code point in *cp and
 * its length in bytes.  A byte that does not start a well-formed
 * sequence (overlong, a surrogate, past U+10FFFF, cut short) is a
 * character of its own, U+FFFD: jansson hands over valid UTF-8, but a
 * string formatted here might not be.
 */
static size_t
print_char(const char *s, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 c, min;
	size_t			 n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2, c = u[0] & 0x1f, min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3, c = u[0] & 0x0f, min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {	/* the NUL at the end too */
			*cp = 0xfffd;
			return 1;
		}
		c = c << 6 | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return n;
}

/*
 * Is this code point shown as '?': a C0 or C1 control character (U+009B
 * is an escape sequence's start to many terminals).  A byte that is not
 * UTF-8 is too, but print_write tells that by the byte: its U+FFFD is
 * also a real character's.
 */
static int
print_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/*
 * The columns a character takes on a terminal: 2 for the wide ones of
 * East Asian scripts and for emoji, 0 for combining marks, zero-width
 * spaces and variation selectors, 1 for the rest (a control character
 * is printed as '?').  Where the locale's characters are UTF-8, the C
 * library's wcwidth(3) says, as it does for the terminal's programs; else
 * (a C locale makes every one of them -1), and for what wcwidth(3) does
 * not know, the ranges of Markus Kuhn's wcwidth() and the emoji blocks,
 * built in.
 */
static size_t
print_cwidth(uint32_t cp)
{
	static const struct {
		uint32_t	 lo, hi;
	} zero[] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
		{ 0x0610, 0x061a }, { 0x064b, 0x065f }, { 0x1ab0, 0x1aff },
		{ 0x1dc0, 0x1dff }, { 0x200b, 0x200f }, { 0x20d0, 0x20ff },
		{ 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	}, wide[] = {
		{ 0x1100, 0x115f }, { 0x2329, 0x232a }, { 0x2e80, 0x303e },
		{ 0x3041, 0x33ff }, { 0x3400, 0x4dbf }, { 0x4e00, 0x9fff },
		{ 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff },
		{ 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
		{ 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff },
		{ 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};
	static int	 utf8 = -1;
	size_t		 i;
	int		 w;

	if (cp < 0x300)
		return 1;
	if (utf8 == -1)
		utf8 = print_utf8();
	if (utf8 && (w = wcwidth((wchar_t)cp)) >= 0)
		return (size_t)w;
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (cp >= zero[i].lo && cp <= zero[i].hi)
			return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

/*
 * Columns a string takes on a terminal (print_cwidth), not its bytes or
 * its characters: "café" takes 4, "日本" 4.
 */
size_t
print_width(const char *s)
{
	uint32_t	 cp;
	size_t		 n = 0;

	while (*s != '\0') {
		s += print_char(s, &cp);
		n += print_cwidth(cp);
	}
	return n;
}

/*
 * The bytes of s's longest beginning that takes at most width columns,
 * never a character cut in two; the columns it takes in *used.
 */
size_t
print_fit(const char *s, size_t width, size_t *used)
{
	uint32_t	 cp;
	size_t		 off = 0, n = 0, len, w;

	while (s[off] != '\0') {
		len = print_char(s + off, &cp);
		w = print_cwidth(cp);
		if (n + w > width)
			break;
		off += len;
		n += w;
	}
	/* combining marks stay with the character they mark */
	while (s[off] != '\0') {
		len = print_char(s + off, &cp);
		if (print_cwidth(cp) != 0)
			break;
		off += len;
	}
	*used = n;
	return off;
}

/*
 * Are the locale's characters UTF-8 (main() sets LC_CTYPE from the
 * environment): then "…", sparklines of blocks; else ASCII alone, as
 * a C or POSIX locale, or a terminal of another character set, shows it.
 */
int
print_utf8(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return cs != NULL && strcmp(cs, "UTF-8") == 0;
}

/*
 * What marks a cut: "…" where the locale's characters are UTF-8 (main()
 * sets LC_CTYPE from the environment), "..." where they may not be.
 */
const char *
print_ellipsis(void)
{
	return print_utf8() ? "\xe2\x80\xa6" : "...";
}

/* Write s, with each control character shown as '?'. */
void
print_write(FILE *fp, const char *s)
{
	uint32_t	 cp;
	size_t		 len;

	for (; *s != '\0'; s += len) {
		len = print_char(s, &cp);
		if (print_is_control(cp) || (cp == 0xfffd && len == 1 &&
		    (unsigned char)*s >= 0x80))
			putc('?', fp);
		else
			fwrite(s, 1, len, fp);
	}
}

/*
 * Write s in at most width columns: whole when it fits, else as much of
 * it as fits before print_ellipsis().  The columns written (fp NULL:
 * that alone, nothing written).
 */
size_t
print_write_cut(FILE *fp, const char *s, size_t width)
{
	const char	*mark = print_ellipsis();
	size_t		 w = print_width(s), mw = print_width(mark), used;
	size_t		 len;
	char		*head;

	if (w <= width) {
		if (fp != NULL)
			print_write(fp, s);
		return w;
	}
	if (width < mw) {
		/* not even the mark fits: as much of s as does */
		mw = 0;
		mark = "";
	}
	len = print_fit(s, width - mw, &used);
	if (fp == NULL)
		return used + mw;
	if ((head = strndup(s, len)) == NULL) {
		fputs("futctl: out of memory\n", stderr);
		exit(FUTCTL_EXIT_REPLY);
	}
	print_write(fp, head);
	fputs(mark, fp);
	free(head);
	return used + mw;
}

/*
 * How many columns a line may take: the terminal's width when standard
 * output is one, else $COLUMNS when it says a number, else 80 (a pipe,
 * a file, a mail).
 */
size_t
print_columns(void)
{
	struct winsize	 ws;
	const char	*env;
	char		*end;
	long		 n;

	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if ((env = getenv("COLUMNS")) != NULL && *env != '\0') {
		n = strtol(env, &end, 10);
		if (*end == '\0' && n > 0 && n <= PRINT_COLUMNS_MAX)
			return (size_t)n;
	}
	return PRINT_COLUMNS_DEFAULT;
}

/*
 * Write s, whose first line starts at column start (what is before it
 * written already), in lines of at most width columns: broken at blanks,
 * each line after the first indented by indent blanks, so that a long
 * value stays under its label and nothing of it is lost.  A word wider
 * than a line is broken where the line ends.  No newline at the end.
 */
void
print_wrap(FILE *fp, const char *s, size_t start, size_t indent,
    size_t width)
{
	size_t	 room, used, len, brk;
	char	*line;

	/* too narrow for a hanging indent: one line, as it is */
	if (width <= start + 8 || width <= indent + 8) {
		print_write(fp, s);
		return;
	}
	for (room = width - start; *s != '\0'; room = width - indent) {
		if (print_width(s) <= room) {
			print_write(fp, s);
			return;
		}
		len = print_fit(s, room, &used);
		/*
		 * The last blank after a ',' or ';' that fits, so that the
		 * items of a list ("connect 44us, total 1.81ms") stay whole,
		 * if it leaves the line at least half full; else the last
		 * blank; else the word is cut.
		 */
		for (brk = len; brk > len / 2 && !(s[brk] == ' ' &&
		    (s[brk - 1] == ',' || s[brk - 1] == ';')); brk--)
			;
		if (brk <= len / 2)
			for (brk = len; brk > 0 && s[brk] != ' '; brk--)
				;
		if (brk == 0)
			brk = len;
		if ((line = strndup(s, brk)) == NULL) {
			fputs("futctl: out of memory\n", stderr);
			exit(FUTCTL_EXIT_REPLY);
		}
		print_write(fp, line);
		free(line);
		s += brk;
		while (*s == ' ')
			s++;
		if (*s != '\0')
			fprintf(fp, "\n%*s", (int)indent, "");
	}
}

void
print_vline(FILE *fp, const char *fmt, va_list ap)
{
	char	*line;

	line = print_vasprintf(fmt, ap);
	print_write(fp, line);
	putc('\n', fp);
	free(line);
}

void
print_line(FILE *fp, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	print_vline(fp, fmt, ap);
	va_end(ap);
}

/* Out of memory in a command-line tool: say so and stop. */
char *
print_vasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1) {
		fputs("futctl: out of memory\n", stderr);
		exit(FUTCTL_EXIT_REPLY);
	}
	return s;
}
