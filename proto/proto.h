/*
 * proto — the msgpack-rpc protocol between chorac and choradd.
 *
 * The one header both programs include.  It holds the protocol version,
 * the wire limits, the error codes, the tables generated from methods.def
 * (methods, notifications, fields, records), and the code that puts
 * messages on the wire and takes them off it:
 *
 *   proto_enc      builds msgpack values (result and params maps) with
 *                  container sizes filled in on close;
 *   proto_pack_*   frames a request, response or notification;
 *   proto_decoder  a streaming decoder: bytes in any pieces, messages out,
 *                  limits enforced before anything is buffered without
 *                  bound;
 *   proto_check_request()  validates a request against the table before
 *                  any handler sees it;
 *   proto_get_*    typed access to a decoded map by field constant.
 *
 * Wire format (msgpack-rpc, as Neovim speaks it):
 *   request       [0, msgid, method, [params]]
 *   response      [1, msgid, error, result]
 *   notification  [2, method, [params]]
 * params is a one-element array holding a map (an empty array means an
 * empty map); error is nil or {code, message, file?, line?}.
 */
#ifndef CHORA_PROTO_H
#define CHORA_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "buf.h"

/*
 * The protocol version, exchanged in hello.  Bumped on ANY change to
 * methods.def, the framing or the error codes: a mismatched pair refuses
 * to talk rather than misread each other.
 */
#define PROTO_VERSION	1

/* ---- limits ------------------------------------------------------------ */

/*
 * PROTO_MAX_MESSAGE: the largest message either side accepts, in bytes.
 * A message is refused as soon as its declared or buffered size passes
 * this, before it is buffered further, so a peer cannot make the other
 * side hold more than this plus one read.  16 MiB fits the largest text
 * `show` returns with room to spare.
 */
#define PROTO_MAX_MESSAGE	(16u * 1024 * 1024)

/*
 * PROTO_MAX_DEPTH: nesting of arrays and maps in one message.  Results are
 * at most a few levels deep (dependency trees are sent as flat edge
 * lists); msgpack-c's own parser stops at 32 (MSGPACK_EMBED_STACK_SIZE),
 * and we refuse earlier with a clear message.
 */
#define PROTO_MAX_DEPTH		24

/*
 * PROTO_MAX_OBJECTS: values (scalars, arrays, maps, keys) in one message.
 * msgpack-c allocates a 24-byte object per element of a container when it
 * sees the container's header; bounding the count bounds that memory
 * (4 Mi objects, 96 MiB) whatever the message claims.
 */
#define PROTO_MAX_OBJECTS	(4u * 1024 * 1024)

/*
 * PROTO_READ_CHUNK: bytes read from a socket at a time, and so the most
 * a decoder may hold beyond PROTO_MAX_MESSAGE.
 */
#define PROTO_READ_CHUNK	(64u * 1024)

/* ---- errors ------------------------------------------------------------ */

/*
 * Error codes: the "code" of an error reply.  One row each: code, stable
 * wire number, short name, meaning.  Numbers never change meaning.
 */
#define PROTO_ERROR_TABLE(X)						\
	X(INVALID,	1,  "invalid_request",	"not a valid msgpack-rpc request") \
	X(NO_METHOD,	2,  "unknown_method",	"unknown method")		\
	X(PARAMS,	3,  "invalid_params",	"invalid parameters")		\
	X(VERSION,	4,  "version_mismatch",	"protocol version mismatch")	\
	X(NO_HELLO,	5,  "hello_required",	"the first request must be hello") \
	X(PERM,		6,  "permission_denied", "permission denied")		\
	X(TOO_BIG,	7,  "too_large",	"message too large")		\
	X(BUSY,		8,  "busy",		"server limit reached")		\
	X(NO_ROOT,	9,  "no_root",		"not a project root")		\
	X(NOT_FOUND,	10, "not_found",	"no such id or version")	\
	X(FAILED,	11, "failed",		"operation failed")		\
	X(TIMEOUT,	12, "timeout",		"timed out")			\
	X(CANCELLED,	13, "cancelled",	"cancelled: the server is stopping") \
	X(UNSUPPORTED,	14, "unsupported",	"not supported by this server") \
	X(STORE,	15, "store_error",	"store error")			\
	X(INTERNAL,	16, "internal",		"internal server error")

enum proto_error {
#define PROTO_X(id, num, name, text) PROTO_E_##id = num,
	PROTO_ERROR_TABLE(PROTO_X)
#undef PROTO_X
};

/* Meaning of a code ("invalid parameters"); a fixed text for unknown ones. */
const char	*proto_strerror(int code);
/* Short name ("invalid_params"), or NULL for an unknown code. */
const char	*proto_error_name(int code);

/* ---- the tables generated from methods.def ---------------------------- */

enum proto_field {
#define PROTO_FIELD(id, name) PROTO_F_##id,
#include "methods.def"
	PROTO_F__COUNT
};

enum proto_record {
	PROTO_R_NONE = 0,
#define PROTO_RECORD(id, name, doc, rows) PROTO_R_##id,
#include "methods.def"
	PROTO_R__COUNT
};

enum proto_method {
#define PROTO_METHOD(id, name, flags, doc, rows) PROTO_M_##id,
#include "methods.def"
	PROTO_M__COUNT
};

enum proto_notify {
#define PROTO_NOTIFY(id, name, doc, rows) PROTO_N_##id,
#include "methods.def"
	PROTO_N__COUNT
};

enum proto_type {
	PROTO_T_BOOL,
	PROTO_T_UINT,		/* non-negative integer, up to UINT64_MAX */
	PROTO_T_STR,		/* str, no NUL bytes */
	PROTO_T_STRS,		/* array of such strings */
	PROTO_T_MAP,
	PROTO_T_MAPS,		/* array of maps */
};

/* Presence of a field. */
#define PROTO_P_REQ		0x1	/* must be there */
#define PROTO_P_OPT		0x0
#define PROTO_P_OPT_WRITE	0x2	/* optional; present = a write */

/* Method flags. */
#define PROTO_MF_WRITE		0x1	/* needs write permission */
#define PROTO_MF_ASYNC		0x2	/* may be parked, answered later */
#define PROTO_MF_STREAM		0x4	/* may send notifications first */

/* One row of a request, result, record or notification. */
struct proto_param {
	enum proto_field	 field;
	enum proto_type		 type;
	unsigned		 presence;	/* PROTO_P_* */
	const char		*choices;	/* "a|b|c" or NULL: any value */
	enum proto_record	 record;	/* MAP/MAPS shape, or NONE */
	const char		*doc;
};

struct proto_shape {
	const struct proto_param *rows;
	size_t			 n;
};

struct proto_method_def {
	enum proto_method	 id;
	const char		*name;		/* wire name, "deploy.record" */
	unsigned		 flags;		/* PROTO_MF_* */
	const char		*doc;
	struct proto_shape	 params;	/* without the common ones */
	struct proto_shape	 result;
};

struct proto_record_def {
	const char		*name;
	const char		*doc;
	struct proto_shape	 fields;
};

struct proto_notify_def {
	const char		*name;
	const char		*doc;
	struct proto_shape	 fields;
};

/* The tables; every pointer is to static data. */
const struct proto_method_def *proto_method(enum proto_method m);
const struct proto_notify_def *proto_notification(enum proto_notify n);
const struct proto_record_def *proto_record(enum proto_record r);
/* Parameters every method accepts (root). */
struct proto_shape	 proto_common_params(void);
const char		*proto_field_name(enum proto_field f);
const char		*proto_type_name(enum proto_type t);
/* The method with this wire name, or NULL. */
const struct proto_method_def *proto_method_find(const char *name,
		    size_t len);
/* The choices ("a|b|c") of method m's parameter f, or NULL. */
const char		*proto_param_choices(enum proto_method m,
			    enum proto_field f);
/* The position of s (n bytes) among choices "a|b|c", or -1. */
int			 proto_choice_index(const char *choices, const char *s,
			    size_t n);

/* ---- encoding ---------------------------------------------------------- */

/*
 * An encoder builds one or more msgpack values in a buffer.  Open a map or
 * array, write its elements (for a map: key, value, key, value, ...),
 * close it; the size header is filled in on close.  Misuse (closing what
 * is not open, an odd number of map elements, nesting beyond
 * PROTO_MAX_DEPTH) is a programming error and fatal.  Lives on the stack:
 * proto_enc_init(), ..., proto_enc_free().
 */
struct proto_enc {
	struct buf	 b;
	unsigned	 depth;
	struct {
		size_t	 off;		/* where the placeholder header is */
		uint32_t n;		/* elements written so far */
		bool	 map;
	}		 open[PROTO_MAX_DEPTH];
	uint32_t	 nvalues;	/* values at the top level */
};

void	proto_enc_init(struct proto_enc *e);
void	proto_enc_free(struct proto_enc *e);
void	proto_enc_reset(struct proto_enc *e);
void	proto_enc_map(struct proto_enc *e);	/* open a map */
void	proto_enc_array(struct proto_enc *e);	/* open an array */
void	proto_enc_end(struct proto_enc *e);	/* close the innermost */
void	proto_enc_key(struct proto_enc *e, enum proto_field f);
void	proto_enc_str(struct proto_enc *e, const char *s);	/* NULL: nil */
void	proto_enc_strn(struct proto_enc *e, const char *s, size_t n);
void	proto_enc_uint(struct proto_enc *e, uint64_t v);
void	proto_enc_int(struct proto_enc *e, int64_t v);
void	proto_enc_double(struct proto_enc *e, double v);
void	proto_enc_bool(struct proto_enc *e, bool v);
void	proto_enc_nil(struct proto_enc *e);
void	proto_enc_strs(struct proto_enc *e, const char *const *v, size_t n);
/* A decoded value, re-encoded (e.g. a context map passed through). */
void	proto_enc_object(struct proto_enc *e, const msgpack_object *o);
/* key + value in one call. */
void	proto_enc_kv_str(struct proto_enc *e, enum proto_field f,
	    const char *s);
/* The same, nothing at all when s is NULL (an optional field). */
void	proto_enc_kv_str_opt(struct proto_enc *e, enum proto_field f,
	    const char *s);
void	proto_enc_kv_uint(struct proto_enc *e, enum proto_field f,
	    uint64_t v);
void	proto_enc_kv_bool(struct proto_enc *e, enum proto_field f, bool v);
/* The bytes so far (every container must be closed); owned by e. */
const char *proto_enc_data(const struct proto_enc *e, size_t *len);

/*
 * Framing: append one complete message to out.  params/result is an
 * encoder holding exactly one value (normally a map; a notification's
 * must be one), or NULL for an empty map.  A notification's params get
 * "stream": stream added in front unless stream is negative.
 */
void	proto_pack_request(struct buf *out, uint32_t msgid,
	    enum proto_method m, const struct proto_enc *params);
void	proto_pack_response(struct buf *out, uint32_t msgid,
	    const struct proto_enc *result);
void	proto_pack_error(struct buf *out, uint32_t msgid, int code,
	    const char *message, const char *file, unsigned line);
void	proto_pack_notification(struct buf *out, enum proto_notify n,
	    int64_t stream, const struct proto_enc *params);

/* ---- decoding ---------------------------------------------------------- */

enum proto_msg_type {
	PROTO_MSG_INVALID = -1,	/* well-formed msgpack, not a message */
	PROTO_MSG_REQUEST = 0,
	PROTO_MSG_RESPONSE = 1,
	PROTO_MSG_NOTIFICATION = 2,
};

/*
 * One decoded message.  Every pointer points into memory owned by zone
 * (NULL for a message of scalars only); proto_msg_free() releases it.  A
 * message can be kept (a parked request) while its decoder goes on.
 */
struct proto_msg {
	enum proto_msg_type	 type;
	bool			 has_msgid;	/* request/response, or an
						   invalid one that had one */
	uint32_t		 msgid;
	const char		*method;	/* request, notification: */
	uint32_t		 method_len;	/*   not NUL-terminated */
	const msgpack_object	*params;	/*   the map */
	const msgpack_object	*error;		/* response: NULL if nil */
	const msgpack_object	*result;	/* response */
	char			*invalid;	/* INVALID: why (allocated) */
	msgpack_zone		*zone;
};

void	proto_msg_free(struct proto_msg *m);

struct proto_decoder;

/*
 * A decoder refusing messages above max bytes (0: PROTO_MAX_MESSAGE).
 * Caller frees with proto_decoder_free(); messages it returned stay valid.
 */
struct proto_decoder *proto_decoder_new(size_t max);
void	proto_decoder_free(struct proto_decoder *d);
/*
 * Room for at least n more bytes, to read(2) into directly; then report
 * how many arrived with proto_decoder_fill().  proto_decoder_feed() is
 * the same with a copy.
 */
char	*proto_decoder_space(struct proto_decoder *d, size_t n);
void	 proto_decoder_fill(struct proto_decoder *d, size_t n);
void	 proto_decoder_feed(struct proto_decoder *d, const void *p, size_t n);
/*
 * The next message: 1 with *m filled (the caller owns it), 0 when more
 * bytes are needed, -1 when the stream is broken (malformed msgpack, too
 * large, too deep): *cause says why (allocated) and every later call
 * fails too.  Well-formed msgpack that is not a message comes back as
 * type PROTO_MSG_INVALID with m->invalid set.
 */
int	 proto_decoder_next(struct proto_decoder *d, struct proto_msg *m,
	    char **cause);
/*
 * After -1: the error code that fits (PROTO_E_TOO_BIG or PROTO_E_INVALID)
 * and whether the broken message had started like a request, with its
 * msgid, so that the error can be answered.
 */
int	 proto_decoder_error(const struct proto_decoder *d, bool *has_msgid,
	    uint32_t *msgid);
/* Bytes buffered and not yet returned as messages. */
size_t	 proto_decoder_pending(const struct proto_decoder *d);

/* An error map from a response, its fields copied out (NULLs if absent). */
struct proto_err {
	int		 code;
	char		*message;	/* allocated */
	char		*file;		/* allocated or NULL */
	unsigned	 line;		/* 0 when unknown */
};
/* Parse error (a map, or anything else a foreign peer sent). */
void	proto_err_parse(const msgpack_object *error, struct proto_err *e);
void	proto_err_clear(struct proto_err *e);

/* ---- validation and access -------------------------------------------- */

/*
 * Check params (a map) against method m's table: every key a known field
 * of the method (or common), no duplicates, the right types, required
 * fields present, restricted values among their choices.  Returns 0, or
 * -1 with *cause (allocated) saying exactly what is wrong:
 * "generate: field 'ids' must be an array of strings".
 * *write is set when the request needs write permission (the method's
 * flag, or an OPT_WRITE field present).
 */
int	proto_check_request(const struct proto_method_def *m,
	    const msgpack_object *params, bool *write, char **cause);

/*
 * Typed access by field constant; map may be NULL or not a map.  Absent,
 * nil or wrongly typed values read as absent (requests are checked
 * before, results are trusted less).  Strings come back NUL-terminated,
 * copied into the arena a (the caller's lifetime), or NULL when absent.
 */
struct arena;
const msgpack_object *proto_get(const msgpack_object *map,
		    enum proto_field f);
const char	*proto_get_str(const msgpack_object *map, enum proto_field f,
		    struct arena *a);
bool		 proto_get_bool(const msgpack_object *map, enum proto_field f,
		    bool dflt);
uint64_t	 proto_get_uint(const msgpack_object *map, enum proto_field f,
		    uint64_t dflt);
/* A STRS field as a NULL-terminated array in a; *n its length. */
const char	**proto_get_strs(const msgpack_object *map, enum proto_field f,
		    struct arena *a, size_t *n);
/*
 * A string from the wire made safe to show: printable ASCII, other bytes
 * as \xNN, cut after 64 bytes with "...".  Allocated; caller frees.
 */
char		*proto_quote(const char *s, size_t n);
/* Does o hold exactly the string s? */
bool		 proto_str_eq(const msgpack_object *o, const char *s);

/* ---- the socket -------------------------------------------------------- */

/*
 * The daemon's socket path: opt (--socket) if given, else $CHORA_SOCKET,
 * else $XDG_RUNTIME_DIR/chora/choradd.sock, else /run/chora/choradd.sock;
 * made absolute against the current directory.  Both programs resolve it
 * here.  Returns the path (allocated), or NULL with *cause when it cannot
 * be a socket address (too long).
 */
char	*proto_socket_path(const char *opt, char **cause);

#endif
