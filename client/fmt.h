/*
 * fmt.h - numbers and times as futctl prints them (fmt.c).
 */
#ifndef FUTCTL_FMT_H
#define FUTCTL_FMT_H

#include <stddef.h>

void	 fmt_latency(char *, size_t, long long);
void	 fmt_duration(char *, size_t, double);
void	 fmt_age(char *, size_t, double);
void	 fmt_percent(char *, size_t, double);
void	 fmt_clock(char *, size_t, double);
void	 fmt_date(char *, size_t, double);
void	 fmt_date_ms(char *, size_t, double);
void	 fmt_stamp(char *, size_t, double);

#endif /* FUTCTL_FMT_H */
