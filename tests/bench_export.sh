#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, last part: `prtop export` side by side in one run.
#   idle:      no scrapes, the exporter only samples (every second)
#   1 client:  one scraper fetching /metrics back to back
#   8 clients: eight concurrent scrapers
# Rounds in rotating order; per phase the median over rounds of the
# /metrics latency p50/p99 (as tests/scrape_load.py sees it) and of the
# exporter's CPU share, from utime+stime in /proc/PID/stat over the phase.
. tests/lib.sh
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
tmp=$(mktemp -d)
epid=""
trap '[ -n "$epid" ] && kill $epid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

port=$(free_port)
url="http://127.0.0.1:$port/metrics"
"$PRTOP" export --listen "127.0.0.1:$port" -d 1 >/dev/null 2>"$tmp/err" &
epid=$!
i=0
until curl -s -m 2 -o /dev/null "$url"; do
	i=$((i + 1))
	if [ $i -ge 50 ] || ! kill -0 $epid 2>/dev/null; then
		echo "exporter did not start: $(cat "$tmp/err")"
		exit 1
	fi
	sleep 0.2
done
tck=$(getconf CLK_TCK)

cpu_ticks() { sed 's/.*) //' "/proc/$epid/stat" | awk '{print $12 + $13}'; }
now_s() { date +%s.%N; }

# phase NAME CLIENTS: one measurement into $tmp/NAME.{cpu,p50,p99,req,fail}
phase() {
	t0=$(now_s)
	c0=$(cpu_ticks)
	if [ "$2" -eq 0 ]; then
		sleep "$SECS"
	else
		python3 tests/scrape_load.py "$url" --threads "$2" --secs "$SECS" >"$tmp/load.json"
		json_get "$tmp/load.json" 'd["p50_ms"]' >>"$tmp/$1.p50"
		json_get "$tmp/load.json" 'd["p99_ms"]' >>"$tmp/$1.p99"
		json_get "$tmp/load.json" 'd["requests"]' >>"$tmp/$1.req"
		json_get "$tmp/load.json" 'd["failures"]' >>"$tmp/$1.fail"
	fi
	c1=$(cpu_ticks)
	t1=$(now_s)
	echo "($c1 - $c0) / $tck / ($t1 - $t0) * 100" | bc -l >>"$tmp/$1.cpu"
}

median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
total() { awk '{s+=$1} END {print s+0}' "$1"; }

echo
echo "exporter: $ROUNDS rounds of idle / 1 client / 8 clients, $SECS s each, rotating order"
r=0
while [ $r -lt "$ROUNDS" ]; do
	case $((r % 3)) in
	0) order="idle one eight" ;;
	1) order="one eight idle" ;;
	*) order="eight idle one" ;;
	esac
	for p in $order; do
		case $p in
		idle) phase idle 0 ;;
		one) phase one 1 ;;
		eight) phase eight 8 ;;
		esac
	done
	r=$((r + 1))
done
printf '%-22s %10s %10s %10s %10s %9s\n' "phase" "p50 ms" "p99 ms" "CPU %" "requests" "failures"
printf '%-22s %10s %10s %10.2f %10s %9s\n' "idle (no scrapes)" "-" "-" "$(median "$tmp/idle.cpu")" 0 0
printf '%-22s %10.3f %10.3f %10.2f %10s %9s\n' "1 client" "$(median "$tmp/one.p50")" \
	"$(median "$tmp/one.p99")" "$(median "$tmp/one.cpu")" "$(total "$tmp/one.req")" \
	"$(total "$tmp/one.fail")"
printf '%-22s %10.3f %10.3f %10.2f %10s %9s\n' "8 clients" "$(median "$tmp/eight.p50")" \
	"$(median "$tmp/eight.p99")" "$(median "$tmp/eight.cpu")" "$(total "$tmp/eight.req")" \
	"$(total "$tmp/eight.fail")"
echo "(CPU % of one core, medians over rounds, resolution $(echo "100 / $tck / $SECS" | bc -l | cut -c1-4) %; requests and failures summed)"
kill -TERM $epid
wait $epid 2>/dev/null
epid=""
