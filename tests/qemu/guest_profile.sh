# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/test_profile.sh (busybox sh, run by the initramfs
# /init).  The test prepends REFAULT_REPS=, BENCH_REPS=, PF1_SECS=,
# BENCH_ARGS= and SLOW_ARM=.  Every result goes to the serial console between
# PRTOP-JSON-BEGIN/END markers (guest_lib.sh: dump) for the host to check.
: "${REFAULT_REPS:=3}" "${BENCH_REPS:=2}" "${PF1_SECS:=8}" "${BENCH_ARGS:=}"
PRTOP=/bin/prtop
ORDER=/sys/module/page_reporting/parameters/page_reporting_order

up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "PRTOP-PROF $* t=$(up)"; }

. /lib/guest_lib.sh

# 1. the initial reporting pass is over: a 3 s window without a batch
settle_reporting "$PRTOP"
mark "settled tries=$settle_tries order=$(cat $ORDER)"

# 2. the refault price, 4 KiB pages and THP
"$PRTOP" bench --refault --mib 256 --reps "$REFAULT_REPS" --wait 5 --json >/tmp/price.json 2>/tmp/price.err
mark "refault rc=$?"
dump price /tmp/price.json /tmp/price.err
"$PRTOP" bench --refault --thp --mib 256 --reps "$REFAULT_REPS" --wait 5 --json >/tmp/price_thp.json 2>/tmp/price_thp.err
mark "refault-thp rc=$?"
dump price_thp /tmp/price_thp.json /tmp/price_thp.err

# 3. record pf1 with reporting on; its memory freed at the end is reported
#    before the command ends (the sleep)
"$PRTOP" record -o /tmp/on.rec --price /tmp/price_thp.json -- \
	sh -c "pf1 --thp -t 4 -s $PF1_SECS -w 2 && sleep 5" >/tmp/on.out 2>/tmp/on.err
mark "record-on rc=$?"
dump on_rec /tmp/on.rec /tmp/on.err
dump on_out /tmp/on.out /dev/null
"$PRTOP" report /tmp/on.rec >/tmp/on.report 2>/tmp/on.rerr
mark "report rc=$?"
dump on_report /tmp/on.report /tmp/on.rerr
"$PRTOP" report --json /tmp/on.rec >/tmp/on.json 2>/tmp/on.jerr
dump on_json /tmp/on.json /tmp/on.jerr

# 4. the same with reporting off (an order above every free list)
old=$(cat $ORDER)
echo 11 >$ORDER
sleep 4
"$PRTOP" record -o /tmp/off.rec -- pf1 --thp -t 4 -s 4 -w 1 >/tmp/off.out 2>/tmp/off.err
mark "record-off rc=$? order=$(cat $ORDER)"
echo "$old" >$ORDER
"$PRTOP" report --json /tmp/off.rec >/tmp/off.json 2>/tmp/off.err
dump off_json /tmp/off.json /tmp/off.err

# 5. the A/B matrix, short; pf1 (the command at the end of BENCH_ARGS) slows
#    the arm SLOW_ARM down by a known share of its time
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
if [ -n "${SLOW_ARM:-}" ]; then
	"$PRTOP" bench --json --reps "$BENCH_REPS" --settle 2 $BENCH_ARGS --slow-arm "$SLOW_ARM" \
		>/tmp/bench.json 2>/tmp/bench.err
else
	"$PRTOP" bench --json --reps "$BENCH_REPS" --settle 2 $BENCH_ARGS >/tmp/bench.json 2>/tmp/bench.err
fi
mark "bench rc=$? order=$(cat $ORDER)"
dump bench /tmp/bench.json /tmp/bench.err
mark "done"
