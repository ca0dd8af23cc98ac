# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/bench_return_guest.sh: once the initial reporting
# pass is over, one `prtop bench --return` of 1 GiB at the default delay
# and at RET_SETS, with each free marked on the second serial port (the
# host times QEMU's RSS against it) and, when PF1_REPS is not 0, pf1 run at
# each setting before its return round (-- pf1: its throughput change in
# the same table), in JSON for the host's judge, which prints the table.
# RET_REPS, RET_SETS, RET_WITHIN, PF1_REPS and PF1_SECS are prepended by
# the host.
PRTOP=/bin/prtop

. /lib/guest_lib.sh

settle_reporting "$PRTOP"
sets=
for s in $RET_SETS; do sets="$sets --set $s"; done
workload=
if [ "$PF1_REPS" -gt 0 ]; then
	workload="--workload-reps $PF1_REPS --settle 3 -- /bin/pf1 --thp -t 2 -s $PF1_SECS -w 1"
fi
t0=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086 # lists of options
"$PRTOP" bench --return --mib 1024 --reps "$RET_REPS" $sets --return-within "$RET_WITHIN" \
	--mark /dev/ttyS1 --json $workload >/tmp/return.json 2>/tmp/return.err
echo "PRTOP-RETURN-GUEST rc return=$? from $t0 to $(cut -d' ' -f1 /proc/uptime) s"
dump return /tmp/return.json /tmp/return.err
echo "PRTOP-RETURN-GUEST done"
