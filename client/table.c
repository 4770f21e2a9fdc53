/*
 * table.c - rows of cells printed in columns as wide as their widest
 * cell, left or right aligned, two spaces apart; a first cell too wide
 * for t->wrap stands on a line of its own.  Cells go through print_write():
 * control characters show as '?'.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "futctl.h"
#include "print.h"
#include "table.h"

void
table_init(struct table *t, size_t ncols, size_t nrows,
    const enum table_align *align, const char *const *header)
{
	size_t	 c;

	t->ncols = ncols;
	t->nrows = nrows;
	t->align = align;
	t->wrap = 0;
	if ((t->cells = calloc(nrows * ncols, sizeof(*t->cells))) == NULL) {
		print_warnx("%s", strerror(errno));
		exit(FUTCTL_EXIT_REPLY);
	}
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
 * Columns two spaces apart, each as wide as its widest cell.  The last
 * column is not padded: no trailing blanks for diff or grep to trip on.
 * With t->wrap, a first cell wider than that stands on a line of its own
 * and the row goes on below it, so one long name does not push every row
 * past the edge of the terminal.
 */
void
table_print(const struct table *t)
{
	size_t		*width, r, c, w, pad;
	const char	*cell;

	if ((width = calloc(t->ncols, sizeof(*width))) == NULL) {
		print_warnx("%s", strerror(errno));
		exit(FUTCTL_EXIT_REPLY);
	}
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			if (cell == NULL || (w = print_width(cell)) <= width[c])
				continue;
			if (c == 0 && t->wrap > 0 && w > t->wrap)
				continue;
			width[c] = w;
		}

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			if (cell == NULL)
				cell = "";
			if (c == 0 && print_width(cell) > width[0]) {
				/* wrapped: the name, then the row below */
				print_write(stdout, cell);
				printf("\n%*s", (int)width[0], "");
				continue;
			}
			pad = width[c] - print_width(cell);
			if (c + 1 == t->ncols && *cell == '\0')
				break;		/* no trailing blanks */
			if (c > 0)
				fputs("  ", stdout);
			if (t->align[c] == TABLE_RIGHT)
				printf("%*s", (int)pad, "");
			print_write(stdout, cell);
			if (t->align[c] == TABLE_LEFT && c + 1 < t->ncols)
				printf("%*s", (int)pad, "");
		}
		putchar('\n');
	}
	free(width);
}

void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
}
