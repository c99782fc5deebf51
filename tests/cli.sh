#!/bin/sh
# cli.sh: end-to-end tests of the command line, as scripts use it.
# Usage: cli.sh SERENITY TESTDIR.  Every reported order and peak is checked
# by an independent evaluator (peak.awk) on the exported plain graph.
S=$1
T=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE CMD...: runs CMD, checks its exit code, keeps stdout/stderr.
expect() {
	want=$1; shift
	"$@" >"$W/out" 2>"$W/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "exit $got, want $want: $*"; cat "$W/err"; fi
}

json_order() { sed 's/.*"order":\[//; s/\]}$//; s/","/\n/g; s/"//g'; }
json_int() { grep -o "\"$1\":[0-9]*" | cut -d: -f2; }

# check_schedule MODEL GRAPHFILE SCHED: reported peak = independent peak.
check_schedule() {
	"$S" schedule "$1" --scheduler "$3" --json >"$W/s.json" 2>"$W/err" || { bad "schedule $1 $3"; return; }
	json_order <"$W/s.json" >"$W/order"
	want=$(json_int peak_bytes <"$W/s.json")
	lb=$(json_int lower_bound_bytes <"$W/s.json")
	got=$(awk -f "$T/peak.awk" "$2" "$W/order")
	if [ "$got" = "peak $want" ] && [ "$lb" -le "$want" ]; then ok; else bad "$1 $3: reported $want, recomputed '$got' (lb $lb)"; fi
	for key in '"model":' '"scheduler":' '"ops":' '"optimal":' '"schedule_ms":'; do
		grep -q "$key" "$W/s.json" && ok || bad "$1 $3: no $key"
	done
}

# The zoo: listed, exported, scheduled and recomputed.
expect 0 "$S" zoo
for net in darts-imagenet randwire-cifar10 randwire-cifar100 swiftnet-hpd; do
	grep -q "^$net " "$W/out" && ok || bad "zoo does not list $net"
done
expect 0 "$S" zoo --json
for net in darts-imagenet randwire-cifar10 randwire-cifar100 swiftnet-hpd; do
	expect 0 "$S" export "zoo:$net" --format graph -o "$W/$net.graph"
	for sched in file bfs dfs; do
		check_schedule "zoo:$net" "$W/$net.graph" $sched
		check_schedule "$W/$net.graph" "$W/$net.graph" $sched
	done
done

# Rewriting: the rewritten graph's reported peak recomputed, never above dp;
# the int8 reference interpreter finds every bit identical.
for net in swiftnet-hpd randwire-cifar10; do
	expect 0 "$S" export "zoo:$net" --rewrite --format graph -o "$W/$net.rw.graph"
	"$S" schedule "zoo:$net" --rewrite --json >"$W/rw.json" || bad "schedule --rewrite $net"
	json_order <"$W/rw.json" >"$W/order"
	rw=$(json_int peak_bytes <"$W/rw.json")
	got=$(awk -f "$T/peak.awk" "$W/$net.rw.graph" "$W/order")
	[ "$got" = "peak $rw" ] && ok || bad "$net --rewrite: reported $rw, recomputed '$got'"
	dp=$("$S" schedule "zoo:$net" --json | json_int peak_bytes)
	[ "$rw" -le "$dp" ] && ok || bad "$net: rewritten peak $rw above dp $dp"
	grep -q '"rewrites":{"channel":' "$W/rw.json" && ok || bad "$net: no rewrites key"
	expect 0 "$S" verify "zoo:$net" --rewrite --json
	grep -q '"identical":true' "$W/out" && ok || bad "$net: verify not identical: $(cat "$W/out")"
	grep -q '"outputs_compared":1,' "$W/out" && ok || bad "$net: outputs_compared"
done
expect 1 "$S" verify "$T/data/good/branches.graph" --rewrite
grep -q "node a: opaque ops cannot run" "$W/err" && ok || bad "verify on sizes-only graph: $(cat "$W/err")"

# Random graphs written by awk (several sources and sinks, ties in sizes).
for seed in 1 2 3 4 5 6 7 8; do
	awk -v seed=$seed 'BEGIN {
		srand(seed); n = 20 + int(rand() * 60)
		for (i = 0; i < n; i++) {
			line = "node v" i " " (1 + int(rand() * 6)) * 64
			if (i > 0 && rand() < 0.85) {
				k = 1 + int(rand() * 3)
				for (j = 0; j < k; j++) {
					lo = i > 8 ? i - 8 : 0
					line = line " v" (lo + int(rand() * (i - lo)))
				}
			}
			print line
		}
	}' >"$W/r$seed.graph"
	for sched in file bfs dfs; do
		check_schedule "$W/r$seed.graph" "$W/r$seed.graph" $sched
	done
done

# Bad graph files: one line naming the file (and line), exit 1, no crash.
for f in "$T"/data/bad/*.graph; do
	expect 1 "$S" schedule "$f"
	[ "$(wc -l <"$W/err")" -eq 1 ] && ok || bad "$f: message not one line"
	grep -q "^serenity: $f" "$W/err" && ok || bad "$f: message does not name the file: $(cat "$W/err")"
done
for f in cycle undefined duplicate negative huge notanumber; do
	expect 1 "$S" schedule "$T/data/bad/$f.graph"
	grep -q "^serenity: $T/data/bad/$f.graph:[0-9][0-9]*: " "$W/err" && ok || bad "$f: no line number: $(cat "$W/err")"
done
expect 1 "$S" schedule "$W/does-not-exist.graph"
expect 1 "$S" schedule zoo:no-such-net
expect 1 "$S" schedule "$W"

# Usage errors: exit 2 with the usage text.
expect 2 "$S"
expect 2 "$S" frobnicate
expect 2 "$S" schedule zoo:swiftnet-hpd --no-such-flag
grep -q '^usage:' "$W/err" && ok || bad "no usage on unknown flag"
expect 2 "$S" schedule zoo:swiftnet-hpd --scheduler magic
expect 2 "$S" schedule
expect 2 "$S" export zoo:swiftnet-hpd --format graph
expect 2 "$S" export zoo:swiftnet-hpd --format xml -o "$W/x"
expect 0 "$S" help

# No half-written output: a failed export leaves nothing behind.
expect 1 "$S" export "$T/data/bad/cycle.graph" --format graph -o "$W/never.graph"
[ ! -e "$W/never.graph" ] && ok || bad "failed export left a file"
expect 1 "$S" export zoo:swiftnet-hpd --format graph -o "$W/no/such/dir/x.graph"
ls "$W/no" >/dev/null 2>&1 && bad "export created a directory" || ok

# The -d S dump is the stable text form golden tests diff.
expect 0 "$S" schedule "$T/data/good/branches.graph" --scheduler dfs -d S
if diff -u "$T/data/good/branches.dfs.expected" "$W/out"; then ok; else bad "dump differs from golden"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
