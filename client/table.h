/*
 * table.h - columns whose widths come from the content, cut to fit a
 * width when asked (table.c).
 */
#ifndef FUTCTL_TABLE_H
#define FUTCTL_TABLE_H

#include <stddef.h>

enum table_align {
	TABLE_LEFT,
	TABLE_RIGHT,
};

/* Rows of cells whose column widths come from the content. */
struct table {
	size_t			 ncols;
	size_t			 nrows;		/* header row included */
	const enum table_align	*align;
	char			**cells;	/* nrows * ncols, owned */
	char			**shorts;	/* the same: a shorter form, or
						   NULL; NULL until one is set */
	size_t			 wrap;		/* column 0 at most; 0: any */
	size_t			 width;		/* a line at most; 0: any */
	unsigned long		 cut;		/* columns that may be cut to
						   fit width: bit c */
};

void	 table_init(struct table *, size_t, size_t, const enum table_align *,
	    const char *const *);
void	 table_cell(struct table *, size_t, size_t, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	 table_cell_short(struct table *, size_t, size_t, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	 table_print(const struct table *);
void	 table_free(struct table *);

#endif /* FUTCTL_TABLE_H */
