/*
 * output_text.h - the parts of the text backend (output_text in output.c),
 * grouped by file: each command's text and the words they share.
 */
#ifndef FUTCTL_OUTPUT_TEXT_H
#define FUTCTL_OUTPUT_TEXT_H

#include <stddef.h>

#include <jansson.h>

struct parse_result;
struct spark_scale;

/* output_words.c */
int	 text_malformed(const char *);
void	 text_target(char *, size_t, const json_t *);
void	 text_log_line(size_t, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 text_kv(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* output_spark.c */
size_t	 text_spark(char *, size_t, const json_t *, size_t,
	    struct spark_scale *);
void	 text_spark_scale(char *, size_t, const struct spark_scale *);

/* output_status.c */
int	 text_status(const json_t *, const struct parse_result *);

/* output_show.c */
int	 text_show(const json_t *, const struct parse_result *);
int	 text_probe(const json_t *, const json_t *);

/* output_steps.c */
void	 text_steps(const json_t *);
void	 text_step_where(char *, size_t, const json_t *);
void	 text_probe_steps(const json_t *);

/* output_tls.c */
int	 text_is_tls(const json_t *, const json_t *);
void	 text_tls_settings(const json_t *, const json_t *);
void	 text_cert(const json_t *);
void	 text_cert_cell(char *, size_t, const json_t *, int);
void	 text_tls_result(const json_t *);

/* output_maint.c */
int	 text_maint(const json_t *);
void	 text_maint_words(char *, size_t, const json_t *, int);

/* output_log.c */
int	 text_log(const json_t *);
void	 text_event(const json_t *, int);

#endif /* FUTCTL_OUTPUT_TEXT_H */
