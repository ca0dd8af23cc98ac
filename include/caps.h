/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding what the running kernel offers: BTF functions and the report()
 * implementations in kernel and module BTF, kallsyms symbols and compiler
 * clones, the bundled patch's tracepoints, the kprobe PMU, procfs files.
 * The result is plain data (struct kernel_caps, plan.h) for the plan.
 */
#ifndef PRTOP_CAPS_H
#define PRTOP_CAPS_H

#include <stdint.h>
#include "plan.h"

struct btf;
struct ksyms;

/*
 * Fill k from the kernel's BTF (vmlinux, and the modules' under
 * /sys/kernel/btf) and kallsyms.  registered_report is the address of the
 * registered device's report() when known (0: not known), to pick among
 * several implementations.
 */
void caps_probe(struct kernel_caps *k, const struct btf *vmlinux, const struct ksyms *ks,
		uint64_t registered_report);
bool caps_btf_has_func(const struct btf *btf, const char *name);

#endif /* PRTOP_CAPS_H */
