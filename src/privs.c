// SPDX-License-Identifier: GPL-2.0
/* Dropping capabilities after attaching: see privs.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <cap-ng.h>

#include "privs.h"
#include "procfs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool kernel_knows_cap(int cap)
{
	char buf[16];
	int last;

	if (read_trimmed_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%d", &last) != 1)
		return false;
	return cap <= last;
}

/*
 * Does test(ctx) succeed in a child holding only cap (-1: none)?  The
 * parent's sets are untouched; a failure to fork or to drop counts as no.
 */
static bool child_can(int cap, bool (*test)(const void *ctx), const void *ctx)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (!pid) {
		capng_clear(CAPNG_SELECT_BOTH);
		if (cap >= 0)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, cap);
		if (capng_apply(CAPNG_SELECT_BOTH))
			_exit(2);
		_exit(test(ctx) ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* bpf() on one of our map fds: asking for the map's info */
static bool map_info_works(const void *ctx)
{
	struct bpf_map_info info;
	__u32 ilen = sizeof(info);

	memset(&info, 0, sizeof(info));
	return !bpf_obj_get_info_by_fd(*(const int *)ctx, &info, &ilen);
}

/* a kprobe perf event on fn, opened and closed: no program runs on it */
static bool kprobe_opens(const void *fn)
{
	struct perf_event_attr attr;
	char buf[16];
	int type, fd;

	if (read_trimmed_at(AT_FDCWD, "/sys/bus/event_source/devices/kprobe/type", buf,
			    sizeof(buf)) < 0 ||
	    sscanf(buf, "%d", &type) != 1)
		return false;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = (__u32)type;
	attr.config1 = (__u64)(unsigned long)fn; /* kprobe_func */
	fd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

unsigned int privs_kprobe_need(const char *fn)
{
	return child_can(CAP_PERFMON, kprobe_opens, fn) ? PRIVS_PERFMON : PRIVS_KPROBE_ADMIN;
}

/* add cap to the sets to apply, and "CAP_NAME (why)" to kept */
static void keep(int cap, const char *why, char *kept, size_t len)
{
	const char *name = capng_capability_to_name(cap);
	char upper[32];
	size_t n = strlen(kept), i;

	for (i = 0; name && name[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	upper[i] = '\0';
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, cap);
	snprintf(kept + n, len - n, "%sCAP_%s (%s)", n ? ", " : "", upper, why);
}

/* a kernel built without CONFIG_MULTIUSER (tinyconfig) has no capget/capset */
static bool kernel_has_caps(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};

	return syscall(SYS_capget, &h, NULL) == 0 || errno != ENOSYS;
}

int privs_drop(int map_fd, unsigned int extra, char *kept, size_t len)
{
	bool need_bpf;

	if (!kernel_has_caps()) {
		snprintf(kept, len,
			 "none to drop: this kernel has no capabilities "
			 "(CONFIG_MULTIUSER off)");
		return 0;
	}
	/* kernels before 5.19 refuse every bpf() command to the unprivileged */
	need_bpf = map_fd >= 0 && !child_can(-1, map_info_works, &map_fd);

	kept[0] = '\0';
	capng_clear(CAPNG_SELECT_BOTH);
	if (need_bpf)
		keep(kernel_knows_cap(CAP_BPF) ? CAP_BPF : CAP_SYS_ADMIN,
		     "this kernel's bpf() refuses map reads without it", kept, len);
	if (extra & PRIVS_PERFMON)
		keep(CAP_PERFMON,
		     "to attach report() again when its driver's module is loaded again", kept,
		     len);
	if (extra & PRIVS_KPROBE_ADMIN)
		keep(CAP_SYS_ADMIN,
		     "to attach report() again when its driver is back: this kernel's kprobes "
		     "refuse CAP_PERFMON alone",
		     kept, len);
	if (extra & PRIVS_PTRACE)
		keep(CAP_SYS_PTRACE, "to read other users' VMM /proc files", kept, len);
	if (capng_apply(CAPNG_SELECT_BOTH)) {
		snprintf(kept, len, "cannot drop capabilities (capng_apply failed)");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(kept, len, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (!kept[0])
		snprintf(kept, len, "none");
	return 0;
}
