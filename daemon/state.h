/*
 * state.h - what futd has seen, kept across a restart (state.c): the
 * state file (state_file, state_save), its format, saving it from a
 * forked child, reading it at start.
 */
#ifndef FUTD_STATE_H
#define FUTD_STATE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "results.h"
#include "target_conf.h"

struct daemon;
struct event;
struct event_base;

#define STATE_MAGIC		"FUTDSTAT"
/*
 * 2: the failures by class gained "rejected" (results_detail's errors, one
 * more); a file of version 1 is read and converted (state_load.c).
 */
#define STATE_VERSION		2
#define STATE_VERSION_MIN	1
#define STATE_ENDIAN		0x01020304u

/*
 * The file's header, in the byte order of the host that wrote it (endian
 * says which) and with the sizes of what it dumps as that host laid them
 * out: a file of another version or architecture is refused, not
 * misread.  Then a record per target, then a CRC32C of all that goes
 * before it (4 bytes).
 */
struct state_header {
	char			 magic[8];
	uint32_t		 version;
	uint32_t		 endian;
	uint16_t		 sz_results;	/* sizeof(struct results) */
	uint16_t		 sz_detail;	/* struct results_detail */
	uint16_t		 sz_hist;	/* struct hist_entry */
	uint16_t		 sz_each;	/* struct addr_result */
	int64_t			 saved_wall_us;
	uint64_t		 saved_mono_us;
	uint64_t		 ntargets;
};

/*
 * A record: its length (after these 4 bytes), the name's length and the
 * name, the identity (target_conf_identity), then a sequence of sections,
 * each a (tag, length, bytes): a reader skips a tag it does not know, so
 * a later futd may add one (maintenance: disabled until, why, by whom)
 * and an older one still reads the rest.
 */
enum state_tag {
	STATE_TAG_RESULTS = 1,		/* struct results, no pointers */
	STATE_TAG_DETAIL = 2,		/* struct results_detail */
	STATE_TAG_HISTORY = 3,		/* hist_entry[], oldest first */
	STATE_TAG_MAINT = 4,		/* struct state_maint, reason */
	STATE_TAG_EACH = 5,		/* addr_result[], pointers void */
};

/*
 * A disabled target's maintenance (maint.h), in STATE_TAG_MAINT: this,
 * then reason_len bytes of the reason.
 */
struct state_maint {
	int64_t			 since_us;
	int64_t			 until_us;	/* 0: until enabled */
	uint32_t		 uid;
	uint16_t		 reason_len;
	uint16_t		 pad;
	char			 user[32];	/* MAINT_USER_MAX */
};

/* One record as read, pointing into the file's bytes. */
struct state_rec {
	const char		*name;
	size_t			 name_len;
	const unsigned char	*id;		/* TARGET_ID_LEN bytes */
	const struct results	*res;		/* NULL: none; at any
						   offset: copied to use */
	const unsigned char	*detail;	/* NULL: none */
	uint32_t		 version;	/* the file's */
	const unsigned char	*hist;
	unsigned		 nhist;
	const unsigned char	*each;		/* addresses "each" */
	unsigned		 neach;
	const unsigned char	*maint;		/* NULL: not disabled */
};

/* Walks the records of a checked file. */
struct state_iter {
	const unsigned char	*p;
	const unsigned char	*end;
	uint64_t		 left;		/* records */
	uint32_t		 version;	/* the file's */
};

/* Saving: the timer, the child writing, the file. */
struct state {
	struct daemon		*d;
	struct event_base	*base;
	char			*path;		/* NULL: none */
	uint64_t		 every_us;
	struct event		*tick;
	struct event		*chld;		/* SIGCHLD */
	pid_t			 child;		/* 0: none */
	uint64_t		 child_start_us;
};

uint32_t	 state_crc(uint32_t, const unsigned char *, size_t);
int		 state_write(int, const struct daemon *, int64_t, uint64_t);
int		 state_check(const unsigned char *, size_t,
		    struct state_header *, struct state_iter *, char *,
		    size_t);
int		 state_next(struct state_iter *, struct state_rec *);
struct state	*state_new(struct daemon *, struct event_base *);
int		 state_configure(struct state *, const char *, uint64_t);
void		 state_load(struct state *);
int		 state_save_now(struct state *);
void		 state_free(struct state *);

#endif /* FUTD_STATE_H */
