# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/bench_guest.sh: once the initial reporting pass is
# over, run `prtop bench` once per line of BENCHES (prepended by the host:
# one argument list per line) and print each table between markers.
PRTOP=/bin/prtop

. /lib/guest_lib.sh

settle_reporting "$PRTOP"
n=0
echo "$BENCHES" | while read -r args; do
	[ -n "$args" ] || continue
	n=$((n + 1))
	echo "PRTOP-BENCH start $n: prtop bench $args"
	# shellcheck disable=SC2086 # one line is one argument list
	"$PRTOP" bench $args >/tmp/bench.txt 2>/tmp/bench.err
	echo "PRTOP-BENCH rc $n=$?"
	dump "bench$n" /tmp/bench.txt /tmp/bench.err
done
echo "PRTOP-BENCH done"
