/*
 * field.h - a reply's fields, tolerant of their absence (field.c).
 */
#ifndef FUTCTL_FIELD_H
#define FUTCTL_FIELD_H

#include <stddef.h>

#include <jansson.h>

const char	*field_str(const json_t *, const char *);
int		 field_num(const json_t *, const char *, double *);
int		 field_int(const json_t *, const char *, long long *);
int		 field_bool(const json_t *, const char *, int *);
void		 field_fmt_int(char *, size_t, const json_t *, const char *);
void		 field_fmt_seconds(char *, size_t, const json_t *,
		    const char *);
void		 field_fmt_us(char *, size_t, const json_t *, const char *);
void		 field_fmt_ratio(char *, size_t, const json_t *,
		    const char *);

#endif /* FUTCTL_FIELD_H */
