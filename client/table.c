/*
 * table.c - rows of cells printed in columns as wide as their widest
 * cell, left or right aligned, two spaces apart; a first cell too wide
 * for t->wrap stands on a line of its own.  With t->width, a table wider
 * than that takes the short forms of the cells that have one, then cuts
 * the widest of the columns that may be cut (table_fit).  Cells go
 * through print_write(): control characters show as '?'.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "futctl.h"
#include "print.h"
#include "table.h"

#define TABLE_GAP	2	/* spaces between two columns */
#define TABLE_CUT_MIN	8	/* a cut column keeps this much (or its
				   header), lest it say nothing at all */

static void	*table_calloc(size_t, size_t);
static const char *table_text(const struct table *, size_t, size_t, size_t,
		    size_t *);
static size_t	 table_widths(const struct table *, size_t *);
static void	 table_share(const struct table *, const size_t *, size_t,
		    size_t *);
static void	 table_fit(const struct table *, size_t *);
static int	 table_rest_empty(const struct table *, size_t, size_t);
static void	 table_row(const struct table *, size_t, const size_t *);

static void *
table_calloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL) {
		print_warnx("%s", strerror(errno));
		exit(FUTCTL_EXIT_REPLY);
	}
	return p;
}

void
table_init(struct table *t, size_t ncols, size_t nrows,
    const enum table_align *align, const char *const *header)
{
	size_t	 c;

	t->ncols = ncols;
	t->nrows = nrows;
	t->align = align;
	t->wrap = 0;
	t->width = 0;
	t->cut = 0;
	t->shorts = NULL;
	t->cells = table_calloc(nrows * ncols, sizeof(*t->cells));
	for (c = 0; c < ncols; c++)
		table_cell(t, 0, c, "%s", header[c]);
}

void
table_cell(struct table *t, size_t row, size_t col, const char *fmt, ...)
{
	va_list	 ap;
	char	**cell = &t->cells[row * t->ncols + col];

	free(*cell);
	va_start(ap, fmt);
	*cell = print_vasprintf(fmt, ap);
	va_end(ap);
}

/*
 * What a cell says when its column must be narrower ("19d warn" for
 * "19d warning unverified"); printed only when the table would not fit
 * t->width with the cells as table_cell() set them.
 */
void
table_cell_short(struct table *t, size_t row, size_t col, const char *fmt,
    ...)
{
	va_list	 ap;
	char	**cell;

	if (t->shorts == NULL)
		t->shorts = table_calloc(t->nrows * t->ncols,
		    sizeof(*t->shorts));
	cell = &t->shorts[row * t->ncols + col];
	free(*cell);
	va_start(ap, fmt);
	*cell = print_vasprintf(fmt, ap);
	va_end(ap);
}

/*
 * What the cell at (row, col) prints in a column width wide, and the
 * columns it takes in *used: the cell if it fits, else its short form,
 * cut if it must be (what a short form keeps is what matters most), else
 * the cell, cut.
 */
static const char *
table_text(const struct table *t, size_t row, size_t col, size_t width,
    size_t *used)
{
	const char	*s = t->cells[row * t->ncols + col], *brief;
	size_t		 w;

	if (s == NULL)
		s = "";
	if ((w = print_width(s)) <= width) {
		*used = w;
		return s;
	}
	brief = t->shorts != NULL ? t->shorts[row * t->ncols + col] : NULL;
	if (brief != NULL)
		s = brief;
	*used = print_write_cut(NULL, s, width);
	return s;
}

/*
 * Each column as wide as its widest cell (a first cell wider than
 * t->wrap stands apart and does not count); the width of a line.
 */
static size_t
table_widths(const struct table *t, size_t *width)
{
	const char	*s;
	size_t		 r, c, w, total = 0;

	for (c = 0; c < t->ncols; c++) {
		width[c] = 0;
		for (r = 0; r < t->nrows; r++) {
			s = t->cells[r * t->ncols + c];
			w = s != NULL ? print_width(s) : 0;
			if (c == 0 && t->wrap > 0 && w > t->wrap)
				continue;
			if (w > width[c])
				width[c] = w;
		}
		total += width[c] + (c > 0 ? TABLE_GAP : 0);
	}
	return total;
}

/*
 * Share avail columns among the columns that may be cut, wanting want[c]
 * each: the widest is cut down to the next widest, and so on, all of them
 * at once to the same width, never below TABLE_CUT_MIN or its header.
 */
static void
table_share(const struct table *t, const size_t *want, size_t avail,
    size_t *width)
{
	size_t	 cap = 0, sum, c, min;

	for (c = 0; c < t->ncols; c++)
		if (t->cut & 1UL << c && want[c] > cap)
			cap = want[c];
	for (; cap > 0; cap--) {
		for (sum = 0, c = 0; c < t->ncols; c++) {
			if (!(t->cut & 1UL << c))
				continue;
			min = print_width(t->cells[c]);	/* the header */
			if (min < TABLE_CUT_MIN)
				min = TABLE_CUT_MIN;
			width[c] = want[c] < cap ? want[c] : cap;
			if (width[c] < min)
				width[c] = want[c] < min ? want[c] : min;
			sum += width[c];
		}
		if (sum <= avail)
			break;
	}
}

/*
 * The widths of the columns, narrowed to t->width when the content is
 * wider.  The columns that may be cut share what the others leave
 * (table_share); a column whose cells all take less than its share, with
 * their short forms, gives the rest back to the others, and they share
 * again.  The columns that may not be cut (numbers, states) keep their
 * width: a table that does not fit even then is printed wider.
 */
static void
table_fit(const struct table *t, size_t *width)
{
	size_t	*want, total, fixed, avail, r, c, pass, w, used;
	int	 shrunk;

	total = table_widths(t, width);
	if (t->width == 0 || total <= t->width)
		return;
	want = table_calloc(t->ncols, sizeof(*want));
	fixed = total;
	for (c = 0; c < t->ncols; c++) {
		want[c] = width[c];
		if (t->cut & 1UL << c)
			fixed -= width[c];
	}
	avail = t->width > fixed ? t->width - fixed : 0;
	for (pass = 0; pass <= t->ncols; pass++) {
		table_share(t, want, avail, width);
		for (shrunk = 0, c = 0; c < t->ncols; c++) {
			if (!(t->cut & 1UL << c))
				continue;
			for (w = 0, r = 0; r < t->nrows; r++) {
				(void)table_text(t, r, c, width[c], &used);
				if (used > w)
					w = used;
			}
			if (w < width[c]) {
				want[c] = w;
				shrunk = 1;
			}
		}
		if (!shrunk)
			break;
	}
	free(want);
}

/* Are the cells of row r after column c all empty (or not set)? */
static int
table_rest_empty(const struct table *t, size_t r, size_t c)
{
	const char	*cell;

	for (c++; c < t->ncols; c++)
		if ((cell = t->cells[r * t->ncols + c]) != NULL &&
		    *cell != '\0')
			return 0;
	return 1;
}

/*
 * One row.  The last column is not padded, nor one followed by empty
 * cells alone (status -w's LAST before an address row's empty TREND): no trailing blanks for diff
 * or grep to trip on.  A first cell wider than t->wrap stands on a line
 * of its own and the row goes on below it, so one long name does not
 * push every row past the edge of the terminal.
 */
static void
table_row(const struct table *t, size_t r, const size_t *width)
{
	const char	*cell;
	size_t		 c, w;

	for (c = 0; c < t->ncols; c++) {
		cell = t->cells[r * t->ncols + c];
		if (cell == NULL)
			cell = "";
		if (c == 0 && (w = print_width(cell)) > width[0]) {
			/* wrapped: the name, then the row below */
			print_write_cut(stdout, cell, t->width > 0 ? t->width :
			    w);
			printf("\n%*s", (int)width[0], "");
			continue;
		}
		if (*cell == '\0' && table_rest_empty(t, r, c))
			break;		/* no trailing blanks */
		if (c > 0)
			printf("%*s", TABLE_GAP, "");
		cell = table_text(t, r, c, width[c], &w);
		if (t->align[c] == TABLE_RIGHT)
			printf("%*s", (int)(width[c] - w), "");
		print_write_cut(stdout, cell, width[c]);
		if (t->align[c] == TABLE_LEFT && !table_rest_empty(t, r, c))
			printf("%*s", (int)(width[c] - w), "");
	}
	putchar('\n');
}

void
table_print(const struct table *t)
{
	size_t	*width, r;

	width = table_calloc(t->ncols, sizeof(*width));
	table_fit(t, width);
	for (r = 0; r < t->nrows; r++)
		table_row(t, r, width);
	free(width);
}

void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i]);
		if (t->shorts != NULL)
			free(t->shorts[i]);
	}
	free(t->cells);
	free(t->shorts);
	t->cells = NULL;
	t->shorts = NULL;
}
