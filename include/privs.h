/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege: once its BPF programs are loaded and attached, a
 * long-running prtop (live view, stat, export, host) drops every
 * capability it no longer needs, from its effective, permitted and
 * bounding sets, and sets no_new_privs.
 */
#ifndef PRTOP_PRIVS_H
#define PRTOP_PRIVS_H

#include <stddef.h>

/* capabilities a caller still needs after attaching, beyond BPF's */
#define PRIVS_PTRACE	   0x1u /* /proc/PID/{smaps,pagemap,exe} of another user's VMM */
#define PRIVS_PERFMON	   0x2u /* a kprobe again when a driver's module is back */
#define PRIVS_KPROBE_ADMIN 0x4u /* the same where kprobes want CAP_SYS_ADMIN */

/*
 * What a kprobe on fn needs on this kernel: PRIVS_PERFMON if a child
 * holding only CAP_PERFMON can open one (opened and closed at once, no
 * program on it), else PRIVS_KPROBE_ADMIN.  Before privs_drop().
 */
unsigned int privs_kprobe_need(const char *fn);

/*
 * Drop all but what is still needed: the extra capabilities asked for, and
 * CAP_BPF (CAP_SYS_ADMIN before 5.8) only if a bpf() call on map_fd fails
 * without it, which a child process tries first (kernels before 5.19 refuse
 * every bpf() command to the unprivileged).  Call it before starting any
 * thread: capabilities are per thread.  Writes what was kept, with why,
 * into kept ("none" when nothing).  0, or -1 with the reason in kept.
 */
int privs_drop(int map_fd, unsigned int extra, char *kept, size_t len);

#endif /* PRTOP_PRIVS_H */
