// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest fentry program: the tests load it with bpftool to learn,
 * independently of prtop, whether this kernel allows BPF trampolines.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fentry/page_reporting_process")
int BPF_PROG(probe_fentry)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
