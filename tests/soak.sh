#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make soak: the live view (in tmux) and the exporter (scraped every 1 s)
# run for SOAK_SECS (default 3600) while memhog frees 1 GiB over and over.
# Every SOAK_EVERY seconds (default 60) each one's RSS, open fds, threads,
# and the BPF programs, maps and links it holds (by fd) are written to
# build/soak/soak.csv; at the end build/soak/soak.png plots them and each
# figure's drift after the warm-up (the first sample past SOAK_WARM s,
# default 300) is judged: fds, threads, programs and maps must not move;
# RSS may move by noise only (max(5 %, 2 MiB)).  Not part of make test.
. tests/lib.sh
require tmux bpftool curl gnuplot python3
mount_kernel_fs

SECS=${SOAK_SECS:-3600}
EVERY=${SOAK_EVERY:-60}
WARM=${SOAK_WARM:-300}
OUT=build/soak
MEMHOG=${MEMHOG:-./build/tools/memhog}
SOCK="prtop-soak-$$"
T="tmux -L $SOCK"
PORT=$(free_port)
mkdir -p "$OUT"
epid="" churn="" scraper=""

cleanup() {
	[ -n "$churn" ] && kill "$churn" 2>/dev/null
	[ -n "$scraper" ] && kill "$scraper" 2>/dev/null
	[ -n "$epid" ] && kill -TERM "$epid" 2>/dev/null
	$T kill-server 2>/dev/null
	true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

"$PRTOP" export -l "127.0.0.1:$PORT" -d 1 2>"$OUT/export.err" &
epid=$!
$T new-session -d -s soak -x 160 -y 50 "$PRTOP -d 1"
wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics" ||
	{ not_ok "exporter did not serve: $(head -c 300 "$OUT/export.err")"; exit 0; }
lpid=$($T list-panes -t soak -F '#{pane_pid}')

(while :; do "$MEMHOG" -m 1024 -H 1 -q >/dev/null 2>&1; sleep 2; done) &
churn=$!
(while :; do curl -s -m 5 -o /dev/null "http://127.0.0.1:$PORT/metrics"; sleep 1; done) &
scraper=$!

# row WHO PID: t,who,rss_kib,fds,threads,progs,maps,links
row() {
	_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$2/status" 2>/dev/null)
	_thr=$(awk '/^Threads:/ {print $2}' "/proc/$2/status" 2>/dev/null)
	_fds=$(ls "/proc/$2/fd" 2>/dev/null | wc -l)
	# BPF objects by the fds that hold them: anon_inode:bpf-prog, bpf-map, bpf_link
	_links=$(for _f in /proc/$2/fd/*; do readlink "$_f"; done 2>/dev/null)
	_pm="$(echo "$_links" | grep -c 'bpf-prog') $(echo "$_links" | grep -c 'bpf-map') $(echo "$_links" | grep -c 'bpf[-_]link')"
	echo "$_t,$1,${_rss:-},${_fds},${_thr:-},$(echo "$_pm" | tr ' ' ',')"
}

echo "t,who,rss_kib,fds,threads,progs,maps,links" >"$OUT/soak.csv"
start=$(date +%s)
echo "soak: ${SECS} s, a sample every ${EVERY} s, into $OUT/soak.csv"
while :; do
	_t=$(($(date +%s) - start))
	kill -0 "$epid" 2>/dev/null || { not_ok "exporter died at ${_t} s"; break; }
	$T has-session -t soak 2>/dev/null || { not_ok "live view died at ${_t} s"; break; }
	row export "$epid" >>"$OUT/soak.csv"
	row live "$lpid" >>"$OUT/soak.csv"
	tail -n 2 "$OUT/soak.csv"
	[ "$_t" -ge "$SECS" ] && break
	sleep "$EVERY"
done
scrapes=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^prtop_scrape_requests_total/ {print $2}')
echo "soak: ${scrapes:-?} scrapes served" | tee "$OUT/summary.txt"

python3 - "$OUT/soak.csv" "$WARM" <<'PY' | tee -a "$OUT/summary.txt"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
warm = int(sys.argv[2])
passed = failed = 0
for who in ("export", "live"):
    r = [x for x in rows if x["who"] == who and x["rss_kib"]]
    after = [x for x in r if int(x["t"]) >= warm] or r[-1:]
    a, b = after[0], r[-1]
    for k in ("rss_kib", "fds", "threads", "progs", "maps", "links"):
        va, vb = int(a[k]), int(b[k])
        lo, hi = min(int(x[k]) for x in after), max(int(x[k]) for x in after)
        tol = max(va * 0.05, 2048) if k == "rss_kib" else 0
        ok = abs(vb - va) <= tol
        passed += ok
        failed += not ok
        print("%s - %s %s: %d at %s s, %d at %s s (range %d..%d after warm-up)"
              % ("ok" if ok else "not ok", who, k, va, a["t"], vb, b["t"], lo, hi))
print("%d passed, %d failed" % (passed, failed))
PY

gnuplot <<EOF
set terminal pngcairo size 1100,700 font ",10"
set output "$OUT/soak.png"
set datafile separator ","
set multiplot layout 2,2 title "prtop soak: live view and exporter, 1 s samples and scrapes, memhog 1 GiB churn"
set xlabel "minutes"
set key bottom right
set yrange [0:*]
set title "RSS (MiB)"
plot "< grep ',export,' $OUT/soak.csv" u (\$1/60):(\$3/1024) w lp t "export", \
     "< grep ',live,' $OUT/soak.csv" u (\$1/60):(\$3/1024) w lp t "live"
set title "open fds"
plot "< grep ',export,' $OUT/soak.csv" u (\$1/60):4 w lp t "export", \
     "< grep ',live,' $OUT/soak.csv" u (\$1/60):4 w lp t "live"
set title "BPF programs"
plot "< grep ',export,' $OUT/soak.csv" u (\$1/60):6 w lp t "export", \
     "< grep ',live,' $OUT/soak.csv" u (\$1/60):6 w lp t "live"
set title "BPF maps (m) and links (l)"
plot "< grep ',export,' $OUT/soak.csv" u (\$1/60):7 w lp t "export m", \
     "< grep ',live,' $OUT/soak.csv" u (\$1/60):7 w lp t "live m", \
     "< grep ',export,' $OUT/soak.csv" u (\$1/60):8 w lp t "export l", \
     "< grep ',live,' $OUT/soak.csv" u (\$1/60):8 w lp t "live l"
unset multiplot
EOF
echo "soak: plot in $OUT/soak.png"
