/*
 * proto_get — typed access to decoded maps by field constant.
 *
 * Requests reach handlers checked, so a wrong type cannot happen there;
 * results and notifications are read by the client with the same calls,
 * so a value of the wrong type reads as absent rather than being trusted.
 */
#include <string.h>

#include "arena.h"
#include "proto.h"

const msgpack_object *
proto_get(const msgpack_object *map, enum proto_field f)
{
	const char *name = proto_field_name(f);
	size_t len = strlen(name);
	const msgpack_object_kv *kv;

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		kv = &map->via.map.ptr[i];
		if (kv->key.type == MSGPACK_OBJECT_STR &&
		    kv->key.via.str.size == len &&
		    memcmp(kv->key.via.str.ptr, name, len) == 0)
			return kv->val.type == MSGPACK_OBJECT_NIL ? NULL :
			    &kv->val;
	}
	return NULL;
}

/* o as a NUL-terminated copy in a; NULL unless a string without NULs. */
static const char *
get_str(const msgpack_object *o, struct arena *a)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_STR ||
	    memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
		return NULL;
	return arena_memdup(a, o->via.str.ptr, o->via.str.size);
}

const char *
proto_get_str(const msgpack_object *map, enum proto_field f, struct arena *a)
{
	return get_str(proto_get(map, f), a);
}

bool
proto_get_bool(const msgpack_object *map, enum proto_field f, bool dflt)
{
	const msgpack_object *o = proto_get(map, f);

	return o != NULL && o->type == MSGPACK_OBJECT_BOOLEAN ?
	    o->via.boolean : dflt;
}

uint64_t
proto_get_uint(const msgpack_object *map, enum proto_field f, uint64_t dflt)
{
	const msgpack_object *o = proto_get(map, f);

	return o != NULL && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ?
	    o->via.u64 : dflt;
}

const char **
proto_get_strs(const msgpack_object *map, enum proto_field f,
    struct arena *a, size_t *n)
{
	const msgpack_object *o = proto_get(map, f);
	const char **v, *s;
	uint32_t size;

	*n = 0;
	size = o != NULL && o->type == MSGPACK_OBJECT_ARRAY ?
	    o->via.array.size : 0;
	v = arena_alloc(a, ((size_t)size + 1) * sizeof(*v));
	for (uint32_t i = 0; i < size; i++)
		if ((s = get_str(&o->via.array.ptr[i], a)) != NULL)
			v[(*n)++] = s;
	v[*n] = NULL;
	return v;
}

bool
proto_str_eq(const msgpack_object *o, const char *s)
{
	size_t len = strlen(s);

	return o != NULL && o->type == MSGPACK_OBJECT_STR &&
	    o->via.str.size == len && memcmp(o->via.str.ptr, s, len) == 0;
}
