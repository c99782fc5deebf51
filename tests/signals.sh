#!/bin/sh
# signals.sh: SIGINT at random times leaves no temporary file and no
# half-written output (src/cleanup.c).  Usage: signals.sh SERENITY TESTDIR [N]
# (N interruptions, default 100).  TMPDIR is a private directory, so that
# "nothing left" is exact.  The RTL path (run --sim rtl: its temporary
# directory, the simulator as a child) is tested without Verilator by
# test_output's test_signals_clean_up.
S=$1
T=$2
N=${3:-100}
. "$T/lib.sh"
C=$T/../configs
TMPDIR=$W/tmp
export TMPDIR
mkdir "$TMPDIR" "$W/out"

# sh starts background commands with SIGINT ignored; serenity keeps an
# ignored signal ignored, so give it the default back
if ! env --default-signal=INT true 2>/dev/null; then
	echo "signals: env --default-signal not available, skipped"
	exit 77
fi

ms() { date +%s%3N; }
t0=$(ms)
"$S" export random:200000:3 --format graph -o "$W/graph.ref" || bad "export"
t1=$(ms)
"$S" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" -o "$W/set.ref" >/dev/null || bad "compile"
t2=$(ms)
killed=0
i=0
while [ $i -lt "$N" ]; do
	# The signal at a random time of the run, which ends with the writes:
	# export (a 6 MB file) in its later half; compile, which writes a
	# directory of 4 files in its last hundredth, near its end.
	if [ $((i % 3)) -ne 2 ]; then
		delay=$(awk -v s="$$$i" -v t=$((t1 - t0)) 'BEGIN { srand(s); printf "%.3f", (0.4 + rand() * 0.7) * t / 1000 }')
		env --default-signal=INT "$S" export random:200000:3 --format graph -o "$W/out/graph" \
			>/dev/null 2>"$W/err" &
	else
		delay=$(awk -v s="$$$i" -v t=$((t2 - t1)) 'BEGIN { srand(s); printf "%.3f", (0.7 + rand() * 0.4) * t / 1000 }')
		env --default-signal=INT "$S" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" \
			-o "$W/out/set" >/dev/null 2>"$W/err" &
	fi
	pid=$!
	sleep "$delay"
	kill -INT $pid 2>/dev/null
	wait $pid
	rc=$?
	case $rc in
	0) ;;
	130) killed=$((killed + 1)) ;;
	*) bad "run $i: exit $rc: $(cat "$W/err")" ;;
	esac
	left=$(ls -A "$TMPDIR"; ls -A "$W/out" | grep -v -x -e graph -e set)
	[ -z "$left" ] && ok || bad "run $i (exit $rc after ${delay}s): left $left"
	# what is there is a whole output
	if [ -e "$W/out/graph" ]; then
		cmp -s "$W/out/graph" "$W/graph.ref" && ok || bad "run $i: half-written graph"
	fi
	if [ -e "$W/out/set" ]; then
		diff -r "$W/out/set" "$W/set.ref" >/dev/null && ok || bad "run $i: half-written set"
	fi
	rm -rf "$W/out" "$TMPDIR"
	mkdir "$W/out" "$TMPDIR"
	i=$((i + 1))
done
# the interruptions must have landed
[ "$killed" -ge $((N / 3)) ] && ok || bad "only $killed of $N runs were interrupted"

echo "signals: $pass passed, $fail failed ($killed of $N runs interrupted)"
[ "$fail" -eq 0 ]
