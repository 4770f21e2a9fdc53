/*
 * print.h - writing words from futd safely (print.c): control characters
 * as '?', the columns a string takes and where to cut it, the terminal's
 * width, "futctl: " warnings, allocation that gives up loudly.
 */
#ifndef FUTCTL_PRINT_H
#define FUTCTL_PRINT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

void	 print_warnx(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
size_t	 print_width(const char *);
size_t	 print_fit(const char *, size_t, size_t *);
int	 print_utf8(void);
const char *print_ellipsis(void);
void	 print_write(FILE *, const char *);
size_t	 print_write_cut(FILE *, const char *, size_t);
size_t	 print_columns(void);
void	 print_wrap(FILE *, const char *, size_t, size_t, size_t);
void	 print_vline(FILE *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 print_line(FILE *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*print_vasprintf(const char *, va_list)
	    __attribute__((format(printf, 1, 0)));

#endif /* FUTCTL_PRINT_H */
