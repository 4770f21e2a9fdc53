/*
 * log.h - logging to stderr, for a terminal or for the journal (log.c).
 * It formats and writes; it knows nothing of what it is given to say.
 */
#ifndef FUTD_LOG_H
#define FUTD_LOG_H

#include <stddef.h>

enum log_mode { LOG_MODE_TERMINAL, LOG_MODE_JOURNAL };

/*
 * One field of a line with fields (log_fields): journal, the name of a
 * journal field ("FUTD_TARGET"), NULL: not in the journal; key, the word
 * on a line ("target"), NULL: not on a line.
 */
struct log_field {
	const char	*journal;
	const char	*key;
	const char	*value;
};
#define LOG_FIELDS_MAX	8

void		 log_init(int, enum log_mode);
void		 log_setlevel(int);
void		 log_pin(int);
int		 log_getlevel(void);
int		 log_level_parse(const char *);
void		 log_fields(int, const char *, const struct log_field *,
		    size_t);
void		 log_errx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_warn(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_info(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_notice(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatal(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

#endif /* FUTD_LOG_H */
