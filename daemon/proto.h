/*
 * proto.h - the futd control protocol, shared by futd and futctl.
 *
 * Transport: a UNIX stream socket (default /run/futd.sock, mode 0660).
 *
 * Request: one line of text, at most FUTD_PROTO_MAX_REQUEST bytes including
 * the terminating '\n' (a trailing '\r' is tolerated):
 *
 *	futd/<version> <command> [<argument>]
 *
 *	futd/1 ping
 *	futd/1 status
 *	futd/1 show web
 *	futd/1 reload
 *	futd/1 disable web* for=7200 reason=kernel%20update
 *
 * Words are separated by spaces or tabs; only printable ASCII is
 * accepted.  A client may send several requests on one connection; replies
 * come back in order.  The server closes the connection after an error reply
 * for a request it could not frame (too long, binary), and after
 * FUTD_PROTO_IDLE_SEC seconds of silence.
 *
 * Reply: exactly one line holding one JSON object, terminated by '\n':
 *
 *	{"version":1,"code":200,"message":"OK","data":{...}}
 *
 * "code" follows HTTP's spirit so that scripts can match on it:
 *	200 OK			"data" holds the answer
 *	400 Bad request		malformed line, bad characters, missing argument
 *	403 Forbidden		command not allowed for this peer
 *	404 Not found		no such target
 *	405 Unknown command
 *	413 Request too long	the line exceeded FUTD_PROTO_MAX_REQUEST
 *	422 Unprocessable	reload: the new config is bad; "data.errors" lists
 *				"file:line: problem" strings, nothing changed
 *	500 Internal error
 *	505 Version not supported
 * On every code but 200, "message" says what went wrong in words.
 *
 * Data, per command (version 1):
 *   ping:   {"schema":1,"pong":true,"daemon":"futd","version":"X.Y.Z","pid":N,
 *            "uptime_s":F,"targets":N}
 *   status [match=GLOB|name=NAME] [state=S] [trend=N]:
 *           {"schema":1,"targets":[TARGET,...]}; with trend=N (1..64)
 *           each TARGET has "trend": the latencies of its last N results
 *           in microseconds, newest first, null for a failure
 *   show:   {"schema":1,"target":TARGET+{"history":[RESULT,...]}}
 *   probe:  {"schema":1,"target","probe","host","port","timeout",
 *            "result":RESULT+{...in full},
 *            "addresses":[ADDRESS,...] (addresses = "each" only)}
 *   reload: {"schema":1,"added":[name...],"removed":[name...],
 *            "changed":[name...],"reset":[name...],"unchanged":N}
 *            "changed": every target whose settings changed; "reset":
 *            those of them that measure another thing now (their results
 *            start again), the others keep theirs; "unchanged" counts
 *            those whose settings are the same.  ("reset" came later:
 *            until then every changed target was reset, and "changed"
 *            names them all, as it did.)
 *   disable NAME|GLOB [for=SECONDS] [reason=TEXT]  (root and futd's uid:
 *            others 403; no target matches: 404; TEXT %-encoded UTF-8, at
 *            most 200 bytes once decoded; without for: until enabled):
 *           {"schema":1,"disabled":[name...],"until":F|null,"reason":"",
 *            "uid":N,"user":"root"|null}
 *   enable NAME|GLOB (likewise): {"schema":1,"enabled":[name...],
 *            "not_disabled":[name...]} (matched, but were not disabled)
 *   TARGET: {"name","probe","host","port","interval","timeout",
 *            "state":"unknown"|"up"|"down"|"flapping"|"disabled",
 *            "maintenance":null|{"since":F,"until":F|null,"reason":"words",
 *            "uid":N,"user":"name"|null} (disabled only),"since":F|null,
 *            "flapping_since":N|null (unix seconds, when it began to flap),
 *            "streak":N (results against the state so far),"rise","fall",
 *            "probes","ok","failed","late",
 *            "last_time":F|null (unix seconds), "last_ok":bool|null,
 *            "last_error":null|"words", "error":null|"class",
 *            "last_latency_us":N|null, "peer":"127.0.0.1:22"|"[::1]:22"|null,
 *            "addresses":[ADDRESS,...] (addresses = "each" only)}
 *   RESULT: {"time":F,"ok":bool,"latency_us":N,"error":null|"class",
 *            "message":null|"words"}   (newest first)
 *   ADDRESS: {"address":"127.0.0.1:22","ok":N,"failed":N,"last":RESULT|null}
 *   log:    {"schema":1,"events":[EVENT,...]}   (oldest first)
 *   follow: {"schema":1,"following":true,"target":"name"|null}, then a line
 *            per event with no envelope, in time order: {"event":EVENT} when
 *            it is added; {"event":EVENT,"update":true,"at":F} when repeats
 *            were folded into it since (at most every 30 s, and before its
 *            target's next event; "at": when told); "dropped":N beside, when
 *            N events were lost to a client that did not read.
 *   EVENT:  {"seq","time":F (when futd learned of it),"type","target",
 *            "state","from","error","latency_us","repeat","message",
 *            "availability"?,"last_time"? (of the last repeat)}
 *
 * Versioning rule: a change of the request framing or of the meaning of an
 * existing field bumps FUTD_PROTO_VERSION; a new command or a new field
 * does not.  The server answers 505 to any other version.
 */
#ifndef FUTD_PROTO_H
#define FUTD_PROTO_H

#define FUTD_PROTO_VERSION	1
#define FUTD_SCHEMA_VERSION	1	/* of the "data" objects, see above */
#define FUTD_PROTO_PREFIX	"futd/"
#define FUTD_PROTO_MAX_REQUEST	1024
#define FUTD_PROTO_IDLE_SEC	30
#define FUTD_DEFAULT_SOCKET	"/run/futd.sock"

enum proto_code {
	PROTO_OK = 200,
	PROTO_BAD_REQUEST = 400,
	PROTO_FORBIDDEN = 403,
	PROTO_NOT_FOUND = 404,
	PROTO_UNKNOWN_COMMAND = 405,
	PROTO_CONFLICT = 409,
	PROTO_TOO_LONG = 413,
	PROTO_UNPROCESSABLE = 422,
	PROTO_INTERNAL = 500,
	PROTO_BAD_VERSION = 505,
};

#endif /* FUTD_PROTO_H */
