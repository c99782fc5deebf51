#!/bin/sh
# cli.sh: end-to-end tests of the command line, as scripts use it.
# Usage: cli.sh SERENITY TESTDIR.  Every reported order and peak is checked
# by an independent evaluator (peak.awk) on the exported plain graph.
S=$1
T=$2
. "$T/lib.sh"

json_order() { sed 's/.*"order":\[//; s/\]}$//; s/","/\n/g; s/"//g'; }

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

# Spatial partitioning: lower than dp on swiftnet, the reported peak
# recomputed from the exported graph (its joins in place), every bit
# identical, the extra MACs within the budget; the commands that cannot run
# bands yet refuse --tile.
"$S" schedule zoo:swiftnet-hpd --tile --json >"$W/t.json" || bad "schedule --tile"
tp=$(json_int peak_bytes <"$W/t.json")
expect 0 "$S" export zoo:swiftnet-hpd --tile --format graph -o "$W/tiled.graph"
grep -q '^node cell0/.*/band2of' "$W/tiled.graph" && ok || bad "export --tile: no bands"
grep -q '^join ' "$W/tiled.graph" && ok || bad "export --tile: no join"
json_order <"$W/t.json" >"$W/order"
got=$(awk -f "$T/peak.awk" "$W/tiled.graph" "$W/order")
[ "$got" = "peak $tp" ] && ok || bad "--tile: reported $tp, recomputed '$got'"
check_schedule "$W/tiled.graph" "$W/tiled.graph" file
dp=$("$S" schedule zoo:swiftnet-hpd --json | json_int peak_bytes)
[ "$tp" -lt "$dp" ] && ok || bad "--tile peak $tp not under dp $dp"
grep -q '"macs":[0-9]*,"macs_overhead":0\.0[0-9]*,"tile":{"regions":[1-9]' "$W/t.json" && ok ||
	bad "schedule --tile keys: $(cat "$W/t.json")"
grep -q '"macs_overhead":0.000000' "$W/rw.json" && ok || bad "macs_overhead without --tile"
fp=$("$S" schedule zoo:swiftnet-hpd --tile --scheduler file --json | json_int peak_bytes)
[ "$tp" -le "$fp" ] && ok || bad "--tile: dp $tp above file order $fp"
expect 0 "$S" schedule zoo:swiftnet-hpd --tile -d S
grep -q '/band1of[0-9]' "$W/out" && ok || bad "-d S: no band ops"
expect 0 "$S" verify zoo:swiftnet-hpd --tile --rewrite --json
grep -q '"identical":true.*"identical_all_rewrites":true.*"tile":{"regions":[1-9]' "$W/out" && ok ||
	bad "verify --tile: $(cat "$W/out")"
cfg32="$T/../configs/npu-32k.xml"
for cmd in "compile zoo:swiftnet-hpd --config $cfg32 -o $W/ct" \
	"run zoo:swiftnet-hpd --config $cfg32" "schedule zoo:swiftnet-hpd --config $cfg32"; do
	# shellcheck disable=SC2086
	expect 2 "$S" $cmd --tile
	grep -q -- '--tile' "$W/err" && ok || bad "$cmd --tile: $(cat "$W/err")"
done
expect 2 "$S" schedule zoo:swiftnet-hpd --tile --max-overhead -5
expect 2 "$S" schedule zoo:swiftnet-hpd --tile --max-overhead 10x

# Accelerator configs: the shipped ones pass, every broken one is refused
# with its file and line.
for f in "$T"/../configs/*.xml; do
	expect 0 "$S" check-config "$f"
done
for f in "$T"/data/config/bad-*.xml; do
	expect 1 "$S" check-config "$f"
	grep -q "^serenity: $f:[0-9][0-9]*: " "$W/err" && ok || bad "$f: no line: $(cat "$W/err")"
	[ "$(wc -l <"$W/err")" -eq 1 ] && ok || bad "$f: message not one line"
done
expect 1 "$S" check-config "$W/no-such.xml"

# compile: the same inputs give the same bytes; a bad config leaves nothing.
C="$T/../configs"
expect 0 "$S" compile zoo:swiftnet-hpd --config "$C/npu-32k.xml" --rewrite -o "$W/c1"
expect 0 "$S" compile zoo:swiftnet-hpd --config "$C/npu-32k.xml" --rewrite -o "$W/c2"
for f in stream.bin dram.bin stream.lst memmap.txt; do
	[ -s "$W/c1/$f" ] && cmp -s "$W/c1/$f" "$W/c2/$f" && ok || bad "compile $f not reproducible"
done
grep -q '^# stem/conv (conv)' "$W/c1/stream.lst" && ok || bad "listing has no op headers"
expect 0 "$S" disasm "$W/c1/stream.bin"
[ "$(grep -cv '^#' "$W/c1/stream.lst")" -eq "$(wc -l <"$W/out")" ] && ok || bad "disasm and listing differ in length"
head -c 100 "$W/c1/stream.bin" >"$W/cut.bin"
expect 1 "$S" disasm "$W/cut.bin"
grep -q "cut.bin: instruction 1: truncated" "$W/err" && ok || bad "disasm truncated: $(cat "$W/err")"
expect 1 "$S" compile zoo:swiftnet-hpd --config "$T/data/config/bad-truncated.xml" -o "$W/c3"
[ ! -e "$W/c3" ] && ok || bad "failed compile left output"
expect 1 "$S" compile "$T/data/good/branches.graph" --config "$C/npu-32k.xml" -o "$W/c4"
expect 2 "$S" compile zoo:swiftnet-hpd -o "$W/c5"

# run on fsim: bit-exact, with the contract's keys, for file and dp orders.
for sched in file dp; do
	expect 0 "$S" run zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sim fsim --scheduler $sched --json
	for key in '"bit_exact":true' '"cycles":' '"sram_peak_bytes":' '"dram_read_bytes":' \
		'"dram_write_bytes":' '"sim_seconds":' '"port_matches_plan":true' \
		'"weight_refetch_bytes":0,'; do
		grep -q "$key" "$W/out" && ok || bad "run --json $sched: no $key"
	done
done
# the RTL (built once per config, then reused): bit-exact, counters as fsim's
expect 0 "$S" run zoo:swiftnet-hpd --config "$C/npu-tiny.xml" --sim rtl --json -o "$W/rtl"
for key in '"bit_exact":true' '"sim":"rtl"' '"counters_match_fsim":true' '"estimate_error_percent":'; do
	grep -q "$key" "$W/out" && ok || bad "run --sim rtl --json: no $key: $(cat "$W/out" "$W/err")"
done
# -o keeps the simulator's files: a timeline row per instruction, with counters
[ "$(head -n 1 "$W/rtl/timeline.csv")" = \
	"index,opcode,start,end,at,port_rd_bytes,port_wr_bytes,mac_busy,stall_dma,stall_bank,sram_in_use,sram_hwm" ] &&
	[ $(($(wc -l <"$W/rtl/timeline.csv") - 1)) = "$(json_int instructions <"$W/out")" ] &&
	[ "$(tail -n 1 "$W/rtl/timeline.csv" | cut -d, -f6)" = "$(json_int dram_port_read_bytes <"$W/out")" ] &&
	ok || bad "run --sim rtl -o: timeline.csv: $(head -n 2 "$W/rtl/timeline.csv")"
expect 2 "$S" run zoo:swiftnet-hpd --config "$C/npu-tiny.xml" -o "$W/rtl2"
grep -q "needs --sim rtl" "$W/err" && [ ! -e "$W/rtl2" ] && ok || bad "run -o without rtl: $(cat "$W/err")"
# NPU_CHECK picks the RTL checker (rtl_sim/build.sh): a value not 0 or 1 is
# refused before any build, with nothing written
expect 1 env NPU_CHECK=2 "$S" run zoo:swiftnet-hpd --config "$C/npu-tiny.xml" --sim rtl -o "$W/rtl3"
[ "$(cat "$W/err")" = "serenity: NPU_CHECK must be 0 or 1 (is '2')" ] && [ ! -e "$W/rtl3" ] && ok ||
	bad "run --sim rtl with NPU_CHECK=2: $(cat "$W/err")"

# cost-aware scheduling: traffic (bytes read and written) never above the
# peak order's at that SRAM.  (A long limit: a sanitizer build on a loaded
# machine can reach the default 10 s, and the off-chip planner's fast
# fallback then moves more; it takes about a second.)
moved() {
	"$S" schedule zoo:swiftnet-hpd --config "$C/npu-32k.xml" "$@" --json >"$W/moved"
	echo $(($(json_int dram_read_bytes <"$W/moved") + $(json_int dram_write_bytes <"$W/moved")))
}
pk=$(moved)
tr=$(moved --objective traffic --time-limit 120)
[ -n "$tr" ] && [ "$tr" -le "$pk" ] && ok || bad "traffic objective moves $tr bytes, peak order $pk"
expect 2 "$S" schedule zoo:swiftnet-hpd --objective traffic

# sweep: a CSV row per size and variant, and the plot.
expect 0 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB,256KiB -o "$W/s.csv" --plot "$W/s.svg"
[ "$(wc -l <"$W/s.csv")" -eq 7 ] && ok || bad "sweep CSV: $(wc -l <"$W/s.csv") lines"
grep -q '^zoo:swiftnet-hpd,dp+rewrite,262144,' "$W/s.csv" && ok || bad "sweep CSV rows"
grep -q ',false,' "$W/s.csv" && bad "sweep: not bit-exact" || ok
head -1 "$W/s.csv" | grep -q ',bit_exact,spill_dram_bytes,traffic_floor_bytes$' && ok ||
	bad "sweep CSV: no spill and floor columns"
# the floor is under every row's traffic (dram_bytes, column 9)
awk -F, 'NR > 1 && $9 < $14 { bad = 1 } END { exit bad }' "$W/s.csv" && ok ||
	bad "sweep: traffic under the floor"
grep -q '<svg' "$W/s.svg" && ok || bad "sweep plot"
expect 2 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32XB -o "$W/t.csv"
# an output it could not write is refused before any work, and nothing is left
expect 1 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB -o "$W/u.csv" --plot "$W/no/u.svg"
grep -q "no/u.svg: no such directory" "$W/err" && [ ! -e "$W/u.csv" ] && ok || bad "sweep: unwritable plot"

# Random graphs written by awk (several sources and sinks, ties in sizes).
for seed in 1 2 3 4 5 6 7 8; do
	awk -v seed=$seed 'BEGIN {
		srand(seed); n = 20 + int(rand() * 60)
		for (i = 0; i < n; i++) {
			line = "node v" i " " (1 + int(rand() * 6)) * 64
			if (i > 0 && rand() < 0.85) {
				k = 1 + int(rand() * 3)
				split("", used) # each input once: the format refuses repeats
				for (j = 0; j < k; j++) {
					lo = i > 8 ? i - 8 : 0
					v = lo + int(rand() * (i - lo))
					if (!(v in used))
						line = line " v" v
					used[v] = 1
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
for f in cycle undefined duplicate negative huge notanumber repeated-input; do
	expect 1 "$S" schedule "$T/data/bad/$f.graph"
	grep -q "^serenity: $T/data/bad/$f.graph:[0-9][0-9]*: " "$W/err" && ok || bad "$f: no line number: $(cat "$W/err")"
done
expect 1 "$S" schedule "$T/data/bad/repeated-input.graph"
grep -q "repeated-input.graph:4: node 'c': input 'a' listed twice$" "$W/err" && ok ||
	bad "repeated input: $(cat "$W/err")"
# an endless device: refused in its first block, not after reading 1 GiB
expect 1 "$S" schedule /dev/zero
grep -q "^serenity: /dev/zero:1: binary data (NUL byte)$" "$W/err" && ok ||
	bad "/dev/zero: $(cat "$W/err")"
expect 1 "$S" schedule "$W/does-not-exist.graph"
expect 1 "$S" schedule zoo:no-such-net
expect 1 "$S" schedule "$W"

# --calib is for float models: an int8 one is refused, not quietly run.
expect 1 "$S" run zoo:swiftnet-hpd --config "$C/npu-64k.xml" --calib "$W"
grep -q -- "--calib needs a float model" "$W/err" && ok || bad "--calib on the zoo: $(cat "$W/err")"

# Usage errors: exit 2, one line naming the problem (the usage text alone
# when no command is given).
expect 2 "$S"
grep -q '^usage:' "$W/err" && ok || bad "no usage without a command"
expect 2 "$S" frobnicate
expect 2 "$S" schedule zoo:swiftnet-hpd --no-such-flag
[ "$(wc -l <"$W/err")" -eq 1 ] && grep -q "no-such-flag" "$W/err" && ok || bad "unknown flag: $(cat "$W/err")"
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

# Golden outputs: the dp schedule of swiftnet-hpd and its command stream
# listing and memory map on npu-64k.  A change here is a change of the
# compiler's output: look at the diff, then regenerate the files.
G="$T/data/golden"
expect 0 "$S" schedule zoo:swiftnet-hpd -d S
diff -q "$G/swiftnet-hpd.schedule" "$W/out" >/dev/null && ok || bad "schedule differs from $G/swiftnet-hpd.schedule"
expect 0 "$S" compile zoo:swiftnet-hpd --config "$T/../configs/npu-64k.xml" -o "$W/gold"
diff -q "$G/swiftnet-hpd.npu-64k.lst" "$W/gold/stream.lst" >/dev/null && ok || bad "listing differs from golden"
diff -q "$G/swiftnet-hpd.npu-64k.memmap" "$W/gold/memmap.txt" >/dev/null && ok || bad "memory map differs from golden"

# Per-channel calibration: a conv's per-channel parameters are rows of its
# weight blocks (docs/isa.md), so the memory map is the default's and the
# DRAM image differs from it only in the weight region; fsim is bit-exact
# with the reference.  Neither stream has a PERCH REQUANT (no rewrite).
grep -q ' perch$' "$W/gold/stream.lst" && bad "default stream has PERCH instructions" || ok
expect 0 "$S" compile zoo:swiftnet-hpd --per-channel --config "$T/../configs/npu-64k.xml" -o "$W/pc"
grep -q ' perch$' "$W/pc/stream.lst" && bad "per-channel stream has PERCH instructions" || ok
cmp -s "$W/gold/memmap.txt" "$W/pc/memmap.txt" && ok || bad "per-channel memory map differs from the default's"
wend=$(awk '$1 == "region" && $2 == "weight" { print $5 }' "$W/pc/memmap.txt")
last=$(cmp -l "$W/gold/dram.bin" "$W/pc/dram.bin" | awk 'END { print $1 }')
[ -n "$wend" ] && [ -n "$last" ] && [ "$last" -le "$wend" ] && ok ||
	bad "per-channel image: last byte differing from the default's at $last, weights end at $wend"
expect 0 "$S" run zoo:swiftnet-hpd --per-channel --rewrite --config "$T/../configs/npu-64k.xml" --json
grep -q '"bit_exact":true' "$W/out" && ok || bad "per-channel run not bit-exact"
# every rewrite (27 channel-wise: per-channel requants) leaves every bit
expect 0 "$S" verify zoo:swiftnet-hpd --rewrite --per-channel --json
grep -q '"identical":true.*"identical_all_rewrites":true,"all_rewrites":{"channel":[1-9]' "$W/out" && ok ||
	bad "per-channel verify: $(cat "$W/out")"

# The -d S dump is the stable text form golden tests diff.
expect 0 "$S" schedule "$T/data/good/branches.graph" --scheduler dfs -d S
if diff -u "$T/data/good/branches.dfs.expected" "$W/out"; then ok; else bad "dump differs from golden"; fi

# --time-limit bounds the whole command (issue 16): a wide graph of 20000
# ops, too big to place by every order, still ends with a valid order and
# a checked plan, the limit's warning on stderr; its order is re-evaluated.
"$S" export random:20000:1 --format graph -o "$W/r20k.graph" && ok || bad "export random:20000:1"
expect 0 "$S" schedule random:20000:1 --time-limit 1 --json
cp "$W/out" "$W/r20k.json"
json_order <"$W/r20k.json" >"$W/order"
want=$(json_int peak_bytes <"$W/r20k.json")
got=$(awk -f "$T/peak.awk" "$W/r20k.graph" "$W/order")
[ "$got" = "peak $want" ] && ok || bad "random:20000:1 --time-limit 1: reported $want, recomputed '$got'"
grep -q '"timed_out":true' "$W/r20k.json" && ok || bad "random:20000:1: dp not timed out in 1 s"
grep -q 'time limit of 1 s reached' "$W/err" && ok || bad "random:20000:1: no time limit warning: $(cat "$W/err")"
grep -q '"arena_fallback":true,"arena_tflm_bytes":null' "$W/r20k.json" && ok ||
	bad "random:20000:1: placement not by the sweep"

# The off-chip planner within the limit too: at 64 KiB random:20000:1
# needs evictions, and its 20000 tensors are past what the exact methods
# take (minutes before): the sweep plans it (its segments checked),
# said on stderr and in the JSON.
t0=$(date +%s)
expect 0 "$S" schedule random:20000:1 --config "$T/../configs/npu-64k.xml" --time-limit 1 --json
t1=$(date +%s)
[ $((t1 - t0)) -le 10 ] && ok || bad "random:20000:1 --config --time-limit 1: $((t1 - t0)) s"
json_order <"$W/out" >"$W/order"
want=$(json_int peak_bytes <"$W/out")
got=$(awk -f "$T/peak.awk" "$W/r20k.graph" "$W/order")
[ "$got" = "peak $want" ] && ok || bad "random:20000:1 --config: reported $want, recomputed '$got'"
grep -q '"offchip_method":"sweep","offchip_fallback":true' "$W/out" && ok ||
	bad "random:20000:1 --config: not planned by the sweep"
[ "$(json_int tensors_in_dram <"$W/out")" -gt 0 ] && ok || bad "random:20000:1 --config: nothing evicted"
[ "$(grep -c 'warning: off-chip plan of 20000 tensors' "$W/err")" = 1 ] && ok ||
	bad "random:20000:1 --config: no off-chip warning: $(cat "$W/err")"

# Issue 15's rough edges.  Every option a command takes has an effect, or
# is refused: exit 2, one line naming the command and the option.
refused() { # refused OPTION CMD...
	opt=$1; shift
	expect 2 "$S" "$@"
	[ "$(wc -l <"$W/err")" -eq 1 ] && grep -q -- "$opt" "$W/err" && ok || bad "$*: $(cat "$W/err")"
}
refused "run does not take --format" run zoo:swiftnet-hpd --config "$C/npu-64k.xml" --format graph
refused "zoo does not take --sram" zoo --sram 32KiB
refused "check-config does not take --rewrite" check-config "$C/npu-64k.xml" --rewrite
refused "disasm does not take --json" disasm "$W/c1/stream.bin" --json
refused "sweep does not take --rewrite" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB -o "$W/x.csv" --rewrite
refused "sweep does not take --scheduler" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB -o "$W/x.csv" --scheduler file
refused "verify does not take --config" verify zoo:swiftnet-hpd --rewrite --config "$C/npu-64k.xml"
refused "bench --rewrite: .* needs --sim" bench --rewrite
refused "export --time-limit: .*it needs one" export zoo:swiftnet-hpd --format graph -o "$W/x.graph" --time-limit 5
refused "schedule -d: .*--json" schedule zoo:swiftnet-hpd --json -d S
refused "schedule --acc-bits: .*needs --rewrite" schedule zoo:swiftnet-hpd --acc-bits 16
refused "export --acc-bits: .*needs --rewrite" export zoo:swiftnet-hpd --format graph -o "$W/x.graph" --acc-bits 16
refused "schedule --objective: .*--scheduler dp" schedule zoo:swiftnet-hpd --config "$C/npu-64k.xml" --scheduler file --objective traffic
refused "compile --objective: .*--scheduler dp" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" -o "$W/x" --scheduler file --objective traffic
refused "schedule --sram: .*--config" schedule zoo:swiftnet-hpd --sram 32KiB
refused "run --trace: .*--sim rtl" run zoo:swiftnet-hpd --config "$C/npu-64k.xml" --trace "$W/t.fst"
refused "sweep -o: .*--sram LIST" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --bisect-zero-spill -o "$W/x.csv"
[ ! -e "$W/x.csv" ] && [ ! -e "$W/x.graph" ] && [ ! -e "$W/x" ] && ok || bad "a refused command wrote its output"

# --sram SIZE sets the config's SRAM: npu-64k at 32 KiB is npu-32k (the
# configs differ in nothing else), in the plan and in the command stream.
expect 0 "$S" schedule zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB --json
cp "$W/out" "$W/s64as32.json"
expect 0 "$S" schedule zoo:swiftnet-hpd --config "$C/npu-32k.xml" --json
[ "$(json_int sram_bytes <"$W/s64as32.json")" = 32768 ] &&
	[ "$(json_int dram_read_bytes <"$W/s64as32.json")" = "$(json_int dram_read_bytes <"$W/out")" ] && ok ||
	bad "schedule --sram 32KiB on npu-64k is not npu-32k"
expect 0 "$S" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram '32 KiB' -o "$W/c64as32"
expect 0 "$S" compile zoo:swiftnet-hpd --config "$C/npu-32k.xml" -o "$W/c32"
cmp -s "$W/c32/stream.bin" "$W/c64as32/stream.bin" && ok || bad "compile --sram 32KiB on npu-64k differs from npu-32k"
expect 0 "$S" run zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32768 --json
[ "$(json_int sram_bytes <"$W/out")" = 32768 ] && ok || bad "run --sram: $(cat "$W/out")"
# run --json: latency_ms is the cycles over the config's clock (500 MHz)
awk -v c="$(json_int cycles <"$W/out")" -v l="$(grep -o '"latency_ms":[0-9.]*' "$W/out" | cut -d: -f2)" \
	'BEGIN { d = c / 500000 - l; exit !(l > 0 && d < 1e-6 && d > -1e-6) }' && ok ||
	bad "run --json latency_ms: $(cat "$W/out")"
expect 0 "$S" run zoo:swiftnet-hpd --config "$C/npu-64k.xml"
grep -q '^latency  *[0-9.]* ms at 500 MHz' "$W/out" && ok || bad "run: no latency line"

# One size syntax, the config's (docs/config.md), on the command line too.
refused "'64k': unit k is ambiguous" run zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 64k
refused "'32KB': unit KB is ambiguous" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB,32KB -o "$W/x.csv"
refused "'2 GiB' is out of range" schedule zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram '2 GiB'
refused "sram/size 1040 is not a multiple" run zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 1040
sed 's|<size>64 KiB</size>|<size>64k</size>|' "$C/npu-64k.xml" >"$W/k.xml"
expect 1 "$S" check-config "$W/k.xml"
grep -q "sram/size '64k': unit k is ambiguous" "$W/err" && ok || bad "XML 64k: $(cat "$W/err")"

# --json: a JSON object from every command that takes it.
expect 0 "$S" check-config "$C/npu-64k.xml" --json
grep -q '^{"file":".*npu-64k.xml","valid":true,"config":{"name":"npu-64k","sram/size":65536,.*"clock-mhz":500}}$' "$W/out" &&
	ok || bad "check-config --json: $(cat "$W/out")"
expect 0 "$S" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" -o "$W/cj" --json
[ "$(json_int instructions <"$W/out")" -eq "$(grep -cv '^#' "$W/cj/stream.lst")" ] && ok ||
	bad "compile --json: $(cat "$W/out")"

# -o - is standard output: the sweep's CSV there (its table on stderr), no
# file named '-' (ONNX: onnx.sh).
mkdir "$W/dash" && cd "$W/dash" || exit 1
expect 0 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB,256KiB -o -
cmp -s "$W/out" "$W/s.csv" && [ ! -e - ] && grep -q '^dp+rewrite ' "$W/err" && ok ||
	bad "sweep -o -: $(head -2 "$W/out")"
cd - >/dev/null || exit 1
refused "--json and -o -" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB -o - --json
refused "compile -o DIR .*not stdout" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" -o -

# sweep --json: the CSV's rows; --bisect-zero-spill: per variant the
# smallest SRAM (a multiple of 32 on npu-64k) whose plan spills nothing,
# checked on fsim: nothing spilled there, something 32 bytes below.
expect 0 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 32KiB,256KiB --json --bisect-zero-spill
[ "$(grep -o '"variant":' "$W/out" | wc -l)" -eq 6 ] && ok || bad "sweep --json rows: $(cat "$W/out")"
z=$(grep -o '"dp+rewrite":[0-9]*}' "$W/out" | tr -dc 0-9)
if [ -n "$z" ] && [ $((z % 32)) -eq 0 ]; then
	expect 0 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram $((z - 32)),$z -o "$W/z.csv"
	awk -F, -v z="$z" '$2 == "dp+rewrite" { s[$3 == z] = $13 } END { exit !(s[1] == 0 && s[0] > 0) }' "$W/z.csv" &&
		ok || bad "zero-spill SRAM $z: $(cat "$W/z.csv")"
else
	bad "sweep --bisect-zero-spill: $(cat "$W/out")"
fi
expect 0 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --bisect-zero-spill
grep -q "^zero-spill SRAM dp+rewrite  *$z bytes$" "$W/out" && ok || bad "sweep --bisect-zero-spill text: $(cat "$W/out")"

# serenity CMD --help: that command's usage, every option it takes on its
# usage line.
for cmd in zoo export schedule verify check-config compile run disasm sweep bench; do
	expect 0 "$S" $cmd --help
	head -n 1 "$W/out" | grep -q "^usage: serenity $cmd " && ok || bad "$cmd --help: $(head -n 1 "$W/out")"
	awk '/^$/ { exit } { print }' "$W/out" >"$W/usage"
	for flag in $(awk '/^options:/ { on = 1; next } on && /^  -/ { print $1 }' "$W/out" | tr -d ,); do
		[ "$flag" = -h ] || grep -q -- "$flag" "$W/usage" || bad "$cmd: usage line omits $flag"
	done
	"$S" help $cmd | cmp -s - "$W/out" && ok || bad "help $cmd differs from $cmd --help"
done
"$S" sweep -h | head -n 3 | grep -q -- '--sim fsim|rtl.*--objective' && ok || bad "sweep -h: $(head -n 3 "$W/out")"

# Progress on stderr for long waits, also when it is not a terminal: bench
# (a line as each part ends), the RTL simulator's build (here one that
# fails after 2 s: no Verilator needed).
expect 0 "$S" bench --time-limit 1
grep -q '^bench: peaks: 5 of 5 done' "$W/err" && ok || bad "bench: no progress: $(cat "$W/err")"
printf '#!/bin/sh\nsleep 2\nexit 1\n' >"$W/verilator" && chmod +x "$W/verilator"
expect 1 env XDG_CACHE_HOME="$W/cache" VERILATOR="$W/verilator" "$S" run zoo:swiftnet-hpd --config "$C/npu-tiny.xml" --sim rtl
grep -q '^serenity: building the RTL simulator for npu-tiny' "$W/err" && ok || bad "no build progress: $(cat "$W/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
