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
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <cap-ng.h>

#include "privs.h"
#include "procfs.h"

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

static int drop_all(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	return capng_apply(CAPNG_SELECT_BOTH);
}

/*
 * Can this kernel's bpf() be used on our fds without capabilities?  A child
 * drops everything and asks for the map's info: the parent's set is untouched.
 */
static bool bpf_needs_cap(int map_fd)
{
	struct bpf_map_info info;
	__u32 ilen = sizeof(info);
	int st;
	pid_t pid;

	if (map_fd < 0)
		return false;
	pid = fork();
	if (pid < 0)
		return true; /* cannot tell: keep it */
	if (!pid) {
		memset(&info, 0, sizeof(info));
		if (drop_all())
			_exit(2);
		_exit(bpf_obj_get_info_by_fd(map_fd, &info, &ilen) ? 1 : 0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return !WIFEXITED(st) || WEXITSTATUS(st) != 0;
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

int privs_drop(int map_fd, unsigned int extra, char *kept, size_t len)
{
	bool need_bpf = bpf_needs_cap(map_fd);

	kept[0] = '\0';
	capng_clear(CAPNG_SELECT_BOTH);
	if (need_bpf)
		keep(kernel_knows_cap(CAP_BPF) ? CAP_BPF : CAP_SYS_ADMIN,
		     "this kernel's bpf() refuses map reads without it", kept, len);
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
