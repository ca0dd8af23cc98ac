#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The test's own reading of the reporting backlog, for test_machine.sh.

Reads every PFN's flags in /proc/kpageflags (not the stride prtop reads) and
rebuilds the free blocks of order >= ORDER: a block starts at a PFN aligned
to its order, every page of it is KPF_BUDDY, only its head may carry
KPF_UPTODATE (PG_reported), and it is the largest such block up to the
buddy allocator's top order (buddyinfo's columns - 1).  Prints one JSON
object: reported and unreported bytes in those blocks, the buddyinfo total
read just before and just after, and the wall-clock time around the read (t0 before
buddyinfo, t1 after kpageflags, t2 after the count).  Imported by
backlog_watch.py.

usage: kpf_truth.py ORDER
"""
import array
import json
import sys
import time

BUDDY, UPTODATE, NOPAGE = 1 << 10, 1 << 3, 1 << 20
SEEN = BUDDY | UPTODATE | NOPAGE


def buddyinfo():
    top, pages = 0, {}
    for line in open("/proc/buddyinfo"):
        cols = line.split()[4:]
        top = max(top, len(cols) - 1)
        for o, n in enumerate(cols):
            pages[o] = pages.get(o, 0) + (int(n) << o)
    return top, pages


def truth(order):
    page = 4096
    try:
        import resource
        page = resource.getpagesize()
    except ImportError:
        pass
    t0 = time.time()
    top, bi = buddyinfo()
    a = array.array("Q")
    # the kernel takes reads of whole u64s only
    with open("/proc/kpageflags", "rb", buffering=0) as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            a.frombytes(chunk)
    t1 = time.time()
    n = len(a)
    rep = unrep = 0
    p = 0
    step = 1 << order
    while p < n:
        f = a[p]
        if f & (BUDDY | NOPAGE) != BUDDY:
            p += step
            continue
        # every page after the head a tail: a free block of at least ORDER
        if p + step > n or any(x & SEEN != BUDDY for x in a[p + 1 : p + step]):
            p += step
            continue
        # grown while the aligned upper half of the next order is all tails
        k = order
        while (k < top and p % (2 << k) == 0 and p + (2 << k) <= n
               and all(x & SEEN == BUDDY for x in a[p + (1 << k) : p + (2 << k)])):
            k += 1
        if f & UPTODATE:
            rep += 1 << k
        else:
            unrep += 1 << k
        p += 1 << k
    return {
        "order": order,
        "reported_bytes": rep * page,
        "unreported_bytes": unrep * page,
        "buddyinfo_bytes": sum(v for o, v in bi.items() if o >= order) * page,
        # read again after: the lists did not change meanwhile if they agree
        "buddyinfo_end_bytes": sum(v for o, v in buddyinfo()[1].items() if o >= order) * page,
        "t0": t0, "t1": t1, "t2": time.time(),
    }


if __name__ == "__main__":
    print(json.dumps(truth(int(sys.argv[1]))))
