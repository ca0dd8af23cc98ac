// SPDX-License-Identifier: GPL-2.0
/*
 * The part of the kernel's BTF that prtop's CO-RE relocations read, as a
 * BTF of its own.  libbpf 1.1 parses the whole 5.5 MB vmlinux BTF for the
 * relocations (reading it into a buffer and copying it: 11 MB at once, most
 * of prtop's peak and a third of its start-up) unless it is given another
 * BTF (btf_custom_path).  Every relocation is rooted at a named type of the
 * BPF object's BTF and libbpf looks its candidates up by that name (less a
 * ___flavour); a field access walks members, embedded structs and arrays
 * but never through a pointer (each dereference is a relocation of its own,
 * rooted at the pointee's name).  So the kernel types whose names the
 * object's types carry, with what they embed and pointers made void *,
 * give libbpf the same candidates and the same answers in a few KB.
 * Names vmlinux lacks are looked up in the modules' BTF, as libbpf does
 * (it searches them only when vmlinux has no candidate, and not at all
 * when given a BTF: so they are part of this one).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "caps.h"
#include "ksyms_cache.h"
#include "str.h"

#define CACHE_FILE "core-btf"

struct gen {
	struct btf *out;
	const struct btf *src; /* vmlinux, or a module's BTF split on it */
	__u32 base_cnt;	       /* vmlinux's ids are below */
	__u32 *base_map;       /* vmlinux id -> id in out, 0: not copied yet */
	__u32 *mod_map;	       /* the same for the module's own ids */
};

struct root {
	const char *name;
	size_t len; /* without the ___flavour */
	bool found;
};

/* libbpf's rule: the name up to the last "x___y" separator */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name), i;

	for (i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (name[i] != '_' && !strncmp(name + i + 1, "___", 3) && name[i + 4] != '_')
			return i + 1;
	return n;
}

static __u32 *slot(struct gen *g, __u32 id)
{
	return id < g->base_cnt ? &g->base_map[id] : &g->mod_map[id - g->base_cnt];
}

static int copy_type(struct gen *g, __u32 id);

static int copy_composite(struct gen *g, const struct btf_type *t, const char *name)
{
	const struct btf_member *m = btf_members(t);
	int i, n = btf_vlen(t), ret = 0;
	int *ids = calloc(n ? n : 1, sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	/* members first: a struct's fields must follow it directly */
	for (i = 0; i < n && ret >= 0; i++)
		ret = ids[i] = copy_type(g, m[i].type);
	if (ret >= 0)
		ret = btf_is_struct(t) ? btf__add_struct(g->out, name, t->size)
				       : btf__add_union(g->out, name, t->size);
	for (i = 0; i < n && ret >= 0; i++) {
		int e = btf__add_field(g->out, btf__name_by_offset(g->src, m[i].name_off), ids[i],
				       btf_member_bit_offset(t, i), btf_member_bitfield_size(t, i));
		if (e < 0)
			ret = e;
	}
	free(ids);
	return ret;
}

static int copy_enum(struct gen *g, const struct btf_type *t, const char *name)
{
	int i, n = btf_vlen(t), ret, e = 0;

	if (btf_is_enum(t)) {
		const struct btf_enum *v = btf_enum(t);

		ret = btf__add_enum(g->out, name, t->size);
		for (i = 0; i < n && ret >= 0 && !e; i++)
			e = btf__add_enum_value(g->out, btf__name_by_offset(g->src, v[i].name_off),
						v[i].val);
	} else {
		const struct btf_enum64 *v = btf_enum64(t);

		ret = btf__add_enum64(g->out, name, t->size, btf_kflag(t));
		for (i = 0; i < n && ret >= 0 && !e; i++)
			e = btf__add_enum64_value(g->out,
						  btf__name_by_offset(g->src, v[i].name_off),
						  btf_enum64_value(&v[i]));
	}
	return e < 0 ? e : ret;
}

/* id (of g->src) copied into g->out: its id there (0: void), or -errno */
static int copy_type(struct gen *g, __u32 id)
{
	const struct btf_type *t;
	const char *name;
	__u32 *m;
	int ret;

	if (!id)
		return 0;
	m = slot(g, id);
	if (*m)
		return *m;
	t = btf__type_by_id(g->src, id);
	if (!t)
		return -EINVAL;
	name = btf__name_by_offset(g->src, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		ret = btf__add_int(g->out, name, t->size, btf_int_encoding(t));
		break;
	case BTF_KIND_FLOAT:
		ret = btf__add_float(g->out, name, t->size);
		break;
	case BTF_KIND_PTR:
		/* not followed: libbpf finds every pointer field compatible */
		ret = btf__add_ptr(g->out, 0);
		break;
	case BTF_KIND_FWD:
		ret = btf__add_fwd(g->out, name, btf_kflag(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		ret = copy_type(g, t->type);
		if (ret < 0 || btf_is_type_tag(t))
			break; /* a tag changes nothing a relocation reads */
		ret = btf_is_typedef(t)	   ? btf__add_typedef(g->out, name, ret)
		      : btf_is_volatile(t) ? btf__add_volatile(g->out, ret)
		      : btf_is_const(t)	   ? btf__add_const(g->out, ret)
					   : btf__add_restrict(g->out, ret);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		int idx = copy_type(g, a->index_type), elem = copy_type(g, a->type);

		ret = idx < 0	 ? idx
		      : elem < 0 ? elem
				 : btf__add_array(g->out, idx, elem, a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		ret = copy_composite(g, t, name);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		ret = copy_enum(g, t, name);
		break;
	default: /* functions, variables: no relocation reads them */
		ret = -ENOTSUP;
	}
	if (ret > 0)
		*m = ret;
	return ret;
}

static int cmp_root(const void *a, const void *b)
{
	const struct root *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = strncmp(x->name, y->name, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static bool root_kind(const struct btf_type *t)
{
	return btf_is_composite(t) || btf_is_any_enum(t) || btf_is_typedef(t) || btf_is_fwd(t);
}

/* the object's named types, sorted by essential name; count in *n */
static struct root *local_roots(const struct btf *local, size_t *n)
{
	__u32 i, cnt = btf__type_cnt(local);
	struct root *r = calloc(cnt, sizeof(*r));

	*n = 0;
	if (!r)
		return NULL;
	for (i = 1; i < cnt; i++) {
		const struct btf_type *t = btf__type_by_id(local, i);
		const char *name = btf__name_by_offset(local, t->name_off);

		if (root_kind(t) && name && *name)
			r[(*n)++] = (struct root){name, essential_len(name), false};
	}
	qsort(r, *n, sizeof(*r), cmp_root);
	return r;
}

/*
 * Copy every type of g->src from id first on that a root names; in vmlinux
 * mark the roots found, in a module copy only what vmlinux did not have.
 */
static int copy_matches(struct gen *g, struct root *r, size_t n, __u32 first, bool vmlinux)
{
	__u32 i, cnt = btf__type_cnt(g->src);

	for (i = first; i < cnt; i++) {
		const struct btf_type *t = btf__type_by_id(g->src, i);
		const char *name = btf__name_by_offset(g->src, t->name_off);
		struct root key, *hit;
		int ret;

		if (!root_kind(t) || !name || !*name)
			continue;
		key = (struct root){name, essential_len(name), false};
		hit = bsearch(&key, r, n, sizeof(*r), cmp_root);
		if (!hit)
			continue;
		while (hit > r && !cmp_root(hit - 1, &key)) /* the first of its name */
			hit--;
		if (!vmlinux && hit->found)
			continue;
		ret = copy_type(g, i);
		if (ret < 0)
			return ret;
		for (; vmlinux && hit < r + n && !cmp_root(hit, &key); hit++)
			hit->found = true;
	}
	return 0;
}

static int copy_modules(struct gen *g, struct root *r, size_t n, const char *btf_dir)
{
	const char *dir = btf_dir ? btf_dir : "/sys/kernel/btf";
	struct dirent *de;
	size_t i;
	int ret = 0;
	DIR *d;

	for (i = 0; i < n && r[i].found; i++)
		;
	if (i == n) /* vmlinux had every name */
		return 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		char path[512];
		struct btf *mb;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux") ||
		    path_join(path, sizeof(path), dir, de->d_name))
			continue;
		mb = btf__parse_split(path, (struct btf *)g->src);
		if (!mb)
			continue; /* unreadable: libbpf would skip it too */
		g->mod_map = calloc(btf__type_cnt(mb) - g->base_cnt + 1, sizeof(__u32));
		if (g->mod_map) {
			const struct btf *vmlinux = g->src;

			g->src = mb;
			ret = copy_matches(g, r, n, g->base_cnt, false);
			g->src = vmlinux;
		} else {
			ret = -ENOMEM;
		}
		free(g->mod_map);
		g->mod_map = NULL;
		btf__free(mb);
	}
	closedir(d);
	return ret;
}

void *caps_core_btf(const struct btf *local, const struct btf *vmlinux, const char *btf_dir,
		    size_t *len)
{
	struct gen g = {.src = vmlinux, .base_cnt = btf__type_cnt(vmlinux)};
	const void *raw;
	struct root *r;
	void *data = NULL;
	__u32 size;
	size_t n;

	r = local_roots(local, &n);
	g.out = btf__new_empty();
	g.base_map = calloc(g.base_cnt, sizeof(__u32));
	if (!r || !g.out || !g.base_map || copy_matches(&g, r, n, 1, true) ||
	    copy_modules(&g, r, n, btf_dir))
		goto out;
	raw = btf__raw_data(g.out, &size);
	data = raw ? malloc(size) : NULL;
	if (data) {
		memcpy(data, raw, size);
		*len = size;
	}
out:
	free(r);
	free(g.base_map);
	btf__free(g.out);
	return data;
}

int caps_core_key(const char *btf_key, const struct btf *local, char *key, size_t len)
{
	const void *raw;
	__u32 size;

	raw = btf__raw_data(local, &size);
	if (!raw)
		return -ENOMEM;
	/* the object's types decide what is copied: another build, another file */
	if ((size_t)snprintf(key, len, "%s obj=%016llx", btf_key,
			     (unsigned long long)kcache_fnv(KCACHE_FNV_SEED, raw, size)) >= len)
		return -ENAMETOOLONG;
	return 0;
}

void *caps_core_load(const char *dir, const char *key, size_t *len)
{
	size_t n = 0, count = 0;
	const char *body;
	char *buf = kcache_read(dir, CACHE_FILE, key, &body, &n, &count);
	void *data = NULL;
	struct btf *b;

	if (!buf)
		return NULL;
	/* it must parse, or libbpf's load would fail on it */
	b = count == n && n ? btf__new(body, n) : NULL;
	if (b) {
		data = malloc(n);
		if (data) {
			memcpy(data, body, n);
			*len = n;
		}
	}
	btf__free(b);
	free(buf);
	return data;
}

int caps_core_store(const char *dir, const char *key, const void *data, size_t len)
{
	return kcache_write(dir, CACHE_FILE, key, data, len, len);
}
