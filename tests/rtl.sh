#!/bin/sh
# rtl.sh: the RTL's tests: lint, the unit testbenches, and the RTL simulator
# (rtl_sim/npu_sim) end to end against the functional model.
#
#   tests/rtl.sh [--quick | --full] [--no-unit] [--seeds N] [WORKDIR]
#                                                   (WORKDIR: default /tmp/serenity-rtl)
#
# Three sizes: --quick (npu-tiny only: what the CI runs), the default (all
# three configs), --full (the default, the unit testbenches at all their
# parameter sets, more models and random streams).
#   lint        verilator --lint-only -Wall hw/*.sv hw/npu.vlt --top-module npu_top,
#               with npu_top's CHECK at 1 (every rule) and at 0 (the FPGA
#               build's checker: encoding and bounds rules, hw/README.md)
#   simulators  npu_sim for each config (npu-tiny; npu-32k and npu-256k unless
#               --quick), and npu-tiny's with CHECK=0 (NPU_CHECK=0, into the
#               directory's name with -c0, as src/rtlsim.c names it),
#               one rtl_sim/build.sh after the other, into the cache
#               directory `serenity run --sim rtl` uses (src/rtlsim.c's
#               $XDG_CACHE_HOME/serenity or ~/.cache/serenity, or $RTL_SIM_CACHE;
#               build.sh does nothing when the simulator there is up to date;
#               NPU_JOBS is build.sh's make -j), the nine parameters and the
#               DRAM latency read from the config XML (`streamgen config`)
#   unit        tests/rtl/unit.sh (--quick unless --full: one parameter set
#               per testbench), in the background while the simulations below
#               run; its result comes last
# then per config, each stream on npu_sim and on fsim (build/tests/fsim_image):
#   models      zoo networks compiled by `serenity compile` (swiftnet-hpd; on
#               npu-32k without --quick also swiftnet-hpd --per-channel; with
#               --full also randwire-cifar10 on npu-tiny), npu_sim given the
#               DRAM regions of memmap.txt (+stream_base= +weight_end=
#               +act_end=), two at a time ($RTL_JOBS)
#   cases       good streams written by hand (streamgen case K, every K below
#               `streamgen ncases`): the rules' edges (a STORE over DRAM bytes
#               an un-synced LOAD reads, bands reading no input row, outputs
#               in place or just before their inputs, ...)
#   random      streams from tests/rtl/streamgen.c (build/tests/streamgen
#               good SEED DIR CONFIG.xml: every opcode and flag, 2-D transfers
#               of every class, transfers in flight across compute, ...;
#               DIR/params holds the DRAM regions), seeds 1..N: N = 40 on
#               npu-tiny (--quick: 12, --full: 100), 12 on the others (--full:
#               30) (--seeds N: N everywhere)
#   checks      streams breaking one rule each (streamgen bad KIND, every
#               KIND below `streamgen nbad`): with expect=stop in their params
#               npu_sim must stop with exit status 1 and fsim's exact message;
#               expect=fsim (reading bytes never written, which the RTL does
#               not check, hw/README.md "Checks"): fsim refuses, npu_sim runs
#               to END; expect=limit (the RTL's tables of live buffers and
#               transfers): npu_sim stops, fsim runs it
# and npu-tiny again with CHECK=0 (npu-tiny-c0): swiftnet-hpd, the good cases
# and random streams unless --quick, and the broken streams: those whose
# rule CHECK=0 keeps stop as with CHECK=1; those breaking a rule it drops
# (live buffers 44 46 47 48 50, racing transfers 52 53, outputs over inputs
# 80: told apart by CHECK=1's message) must run to END.
# For models, cases and random streams: the final DRAM images equal, whole; the
# counters both count equal (insns, port_rd_* and port_wr_* by class,
# dma_rd, dma_wr, sram_rd, sram_wr, sram_peak, sram_hwm, mac_busy); and
# npu_sim's port monitor (obs_*: beats sorted by the DRAM region of their
# address) equal to the NPU's port counters (sorted by the class its LOADs
# and STOREs carry).  Cycles are printed beside fsim's estimate, not
# compared.  Every run leaves its files in WORKDIR/CONFIG-WHAT (npu_sim's
# message in rtl.err, the verdict in result).
#
# Exit status 0 when everything passes.  Needs verilator and a C compiler;
# builds serenity, fsim_image and streamgen (CMake) when missing.  Time on 2
# shared cores, loaded, with the simulators built: --quick 3.5 minutes (unit.sh
# --quick beside the simulations is the longest part; CHECK=0 adds 1.5 and
# its own Verilator build),
# the default 3-6,
# --full 8-10 (unit.sh: 7-8); a Verilator build of npu_top adds 1.5-5
# minutes per config (a fresh clone's --quick builds npu-tiny's once: 1.5).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0 full=0 unit=1 seeds=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 full=0 ;;
	--full) full=1 quick=0 ;;
	--no-unit) unit=0 ;;
	--seeds) seeds=$2; shift ;;
	-*) echo "usage: tests/rtl.sh [--quick | --full] [--no-unit] [--seeds N] [WORKDIR]" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
work=${1:-/tmp/serenity-rtl}
mkdir -p "$work"
work=$(cd "$work" && pwd)
build=$root/build
serenity=$build/serenity fsim_image=$build/tests/fsim_image streamgen=$build/tests/streamgen
jobs=${RTL_JOBS:-2}
results=$work/results
: >"$results"
stream_base='' weight_end='' act_end='' expect='' # set by sourcing a stream's params
t_start=$(date +%s)

say() { echo "$*" | tee -a "$results"; }
fail() { say "FAIL $*"; }

command -v verilator >/dev/null || { echo "rtl.sh: verilator not found (tests/deps.sh)" >&2; exit 2; }
if [ ! -x "$serenity" ] || [ ! -x "$fsim_image" ] || [ ! -x "$streamgen" ]; then
	[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" >/dev/null
	cmake --build "$build" -j 2 --target serenity fsim_image streamgen >/dev/null
fi

echo "== lint"
for c in 1 0; do
	if verilator --lint-only -Wall "$root"/hw/*.sv "$root/hw/npu.vlt" --top-module npu_top -GCHECK=$c \
		>"$work/lint.log" 2>&1; then
		say "ok   verilator --lint-only -Wall hw/*.sv hw/npu.vlt -GCHECK=$c"
	else
		sed -n '1,20p' "$work/lint.log"
		fail "lint -GCHECK=$c (see $work/lint.log)"
		break
	fi
done

# "key":value of a one-line JSON object
jget() {
	sed -n "s/.*\"$2\":\(-\{0,1\}[0-9]*\).*/\1/p" "$1"
}

# compare DIR WHAT: DIR's rtl.bin/rtl.json against fsim.bin/fsim.json;
# prints "ok ..." or the differences (exit status 1)
compare() {
	c_d=$1 c_what=$2 c_bad=
	cmp -s "$c_d/rtl.bin" "$c_d/fsim.bin" ||
		c_bad="$c_bad; DRAM images differ ($(cmp -l "$c_d/rtl.bin" "$c_d/fsim.bin" | wc -l) bytes, the first at $(cmp "$c_d/rtl.bin" "$c_d/fsim.bin" | sed -n 's/.*byte \([0-9]*\).*/\1/p'))"
	for k in insns port_rd_weight port_rd_act port_rd_spill port_rd_fetch port_wr_act port_wr_spill \
		dma_rd dma_wr sram_rd sram_wr sram_peak sram_hwm mac_busy; do
		r=$(jget "$c_d/rtl.json" $k) f=$(jget "$c_d/fsim.json" $k)
		[ -n "$r" ] && [ "$r" = "$f" ] || c_bad="$c_bad; $k $r, fsim $f"
	done
	for c in rd_weight rd_act rd_spill rd_fetch wr_act wr_spill; do
		r=$(jget "$c_d/rtl.json" port_$c) o=$(jget "$c_d/rtl.json" obs_$c)
		[ -n "$o" ] && [ "$r" = "$o" ] || c_bad="$c_bad; port_$c $r, the port monitor $o"
	done
	[ ! -f "$c_d/rtl.csv" ] || c_bad="$c_bad$(timeline_check "$c_d")"
	rc=$(jget "$c_d/rtl.json" cycles) fc=$(jget "$c_d/fsim.json" cycles)
	cyc=$(awk -v r="$rc" -v f="$fc" 'BEGIN { printf "cycles %d, fsim %d (%+.1f%%)", r, f, f ? (r - f) * 100.0 / f : 0 }')
	if [ -n "$c_bad" ]; then
		echo "FAIL $c_what: ${c_bad#; } ($cyc; $c_d)"
		return 1
	fi
	echo "ok   $c_what: DRAM image bit-exact, counters and port monitor equal, $cyc"
}

# timeline_check DIR: DIR/rtl.csv (npu_sim's timeline) against observers
# other than the counters it reads: every instruction of the stream has one
# row; at each ALLOC and FREE row sram_in_use is the sum the listing's
# ALLOCs and FREEs give; in the order they were read (`at`, never before
# `end`), the cumulative counters never fall; the last row's port bytes
# are the port monitor's.  Prints
# "; what differs" for each failure.
timeline_check() {
	t_d=$1
	"$serenity" disasm "$t_d/stream.bin" >"$t_d/stream.lst" 2>/dev/null || { echo "; disasm failed"; return; }
	obs_rd=0 obs_wr=0
	for c in rd_act rd_spill rd_weight rd_fetch; do obs_rd=$((obs_rd + $(jget "$t_d/rtl.json" obs_$c))); done
	for c in wr_act wr_spill; do obs_wr=$((obs_wr + $(jget "$t_d/rtl.json" obs_$c))); done
	ninsn=$(jget "$t_d/rtl.json" insns)
	sort -t, -k5,5n -k1,1n "$t_d/rtl.csv" | awk -F, -v lst="$t_d/stream.lst" -v rd="$obs_rd" -v wr="$obs_wr" \
		-v n="$ninsn" '
		BEGIN {
			while ((getline l < lst) > 0) {
				split(l, f, " ")
				if (f[2] != "alloc" && f[2] != "free") continue
				b = l; sub(/.*bytes=/, "", b); sub(/ .*/, "", b)
				use += (f[2] == "alloc" ? b : -b); want[f[1]] = use
			}
		}
		$1 == "index" { for (k = 6; k <= NF; k++) col[k] = $k; next }
		{
			rows[$1]++
			if ($5 < $4) { if (!early++) printf "; timeline row %d: counters read at %d, before its end %d", $1, $5, $4 }
			if (($1 in want) && $11 != want[$1]) { printf "; timeline row %d (%s): sram_in_use %d, the listing says %d", $1, $2, $11, want[$1] }
			for (k = 6; k <= NF; k++)
				if (k != 11 && $k < last[k]) { if (!fell++) printf "; timeline: %s falls at row %d", col[k], $1 }
				else last[k] = $k
			lr = $6; lw = $7
		}
		END {
			for (i = 0; i < n; i++) if (rows[i] != 1) { printf "; timeline: instruction %d has %d rows", i, rows[i]; exit }
			if (lr != rd || lw != wr) printf "; timeline ends at port %d read %d written, the monitor %d, %d", lr, lw, rd, wr
		}'
}

# run_pair DIR WHAT CFG LATENCY: fsim_image and npu_sim on DIR/stream.bin,
# DIR/dram.bin with DIR/params; the verdict in DIR/result
run_pair() {
	r_d=$1 r_what=$2 r_xml=$3 r_lat=$4
	(
		# shellcheck disable=SC1091
		. "$r_d/params"
		if ! "$fsim_image" "$r_xml" "$r_d/stream.bin" "$r_d/dram.bin" "$r_d/fsim.bin" "$r_d/fsim.json" >"$r_d/fsim.out" 2>&1; then
			echo "FAIL $r_what: fsim refuses it: $(cat "$r_d/fsim.out")"
			exit 1
		fi
		t0=$(date +%s)
		if ! "$sim" +stream="$r_d/stream.bin" +dram="$r_d/dram.bin" +stream_base="$stream_base" \
			+weight_end="$weight_end" +act_end="$act_end" +latency="$r_lat" +dram_out="$r_d/rtl.bin" \
			+counters="$r_d/rtl.json" +timeline="$r_d/rtl.csv" >/dev/null 2>"$r_d/rtl.err"; then
			echo "FAIL $r_what: npu_sim: $(head -c 400 "$r_d/rtl.err") ($r_d)"
			exit 1
		fi
		t1=$(date +%s)
		compare "$r_d" "$r_what" | sed "s/\$/, $((t1 - t0)) s of npu_sim/"
	) >"$r_d/result" 2>&1 || true
}

# model_dir CFG MODEL DIR: compiles MODEL (zoo:NAME, or zoo:NAME+per-channel
# for --per-channel) for CFG into DIR and writes DIR/params from its memmap.txt
model_dir() {
	rm -rf "$3"
	md_name=${2%+per-channel} md_pc=
	[ "$md_name" = "$2" ] || md_pc=--per-channel
	# shellcheck disable=SC2086
	"$serenity" compile "$md_name" $md_pc --config "$1" -o "$3" >"$3.log" 2>&1 || return 1
	# memmap's addresses are hexadecimal: the shell does the arithmetic
	sb=$(awk '$1 == "region" && $2 == "stream" { print $4 }' "$3/memmap.txt")
	wa=$(awk '$1 == "region" && $2 == "weight" { print $4 }' "$3/memmap.txt")
	wn=$(awk '$1 == "region" && $2 == "weight" { print $5 }' "$3/memmap.txt")
	aa=$(awk '$1 == "region" && $2 == "act" { print $4 }' "$3/memmap.txt")
	an=$(awk '$1 == "region" && $2 == "act" { print $5 }' "$3/memmap.txt")
	[ -n "$sb" ] && [ -n "$wn" ] && [ -n "$an" ] || return 1
	printf 'stream_base=%d\nweight_end=%d\nact_end=%d\nexpect=ok\n' \
		$((sb)) $((wa + wn)) $((aa + an)) >"$3/params"
}

cache=${RTL_SIM_CACHE:-}
if [ -z "$cache" ]; then
	if [ -n "${XDG_CACHE_HOME:-}" ]; then cache=$XDG_CACHE_HOME/serenity; else cache=${HOME:-/tmp}/.cache/serenity; fi
fi

# a run: a config, or a config with -c0 (npu_top's CHECK = 0)
cfgs="npu-tiny"
[ $quick = 1 ] || cfgs="$cfgs npu-32k npu-256k"
cfgs="$cfgs npu-tiny-c0"

# The simulators first, one Verilator build at a time; WORKDIR/CONFIG.sim
# gets "npu_sim's path, the DRAM latency" for the tests.
echo "== simulators"
built=''
for run in $cfgs; do
	cfg=${run%-c0} check=1 c0=
	[ "$cfg" = "$run" ] || check=0 c0=-c0
	xml=$root/configs/$cfg.xml
	# SRAM BANKS BANK_BYTES WBUF RD WR ROWS COLS VW LATENCY CACHE-NAME
	p=$("$streamgen" config "$xml") || { fail "$cfg: cannot read $xml"; continue; }
	# shellcheck disable=SC2086
	set -- $p
	simdir=$cache/${11}$c0
	t0=$(date +%s)
	if ! NPU_CHECK=$check "$root/rtl_sim/build.sh" "$simdir" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9"; then
		fail "$run: NPU_CHECK=$check rtl_sim/build.sh $simdir $1 $2 $3 $4 $5 $6 $7 $8 $9"
		continue
	fi
	echo "$simdir/npu_sim ${10}" >"$work/$run.sim"
	built="$built $run"
	echo "     $run: $simdir (NPU_CHECK=$check build.sh $1 $2 $3 $4 $5 $6 $7 $8 $9: $(($(date +%s) - t0)) s)"
done

# The unit testbenches (Verilator builds) run beside the simulations, in a
# session of their own (setsid) that goes when this script does.
if [ $unit = 1 ]; then
	uq=--quick
	[ $full = 0 ] || uq=
	t_unit=$(date +%s)
	ss=
	command -v setsid >/dev/null && ss=setsid
	# shellcheck disable=SC2086
	$ss sh "$root/tests/rtl/unit.sh" $uq "$work/unit" >"$work/unit.log" 2>&1 &
	unit_pid=$!
	trap 'kill -- -$unit_pid 2>/dev/null || kill $unit_pid 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	echo "     unit testbenches started (tests/rtl/unit.sh${uq:+ $uq}, log $work/unit.log)"
fi

# The rules CHECK=0 drops, by CHECK=1's (and fsim's) message: live buffers
# (44 46 47 48 50), racing transfers (52 53), an output over its inputs (80).
dropped() {
	case $1 in
	*"outside any live buffer"* | *"overlaps the live buffer"* | *"which is not an allocated buffer"* | \
		*"but the buffer there is"* | *"live SRAM buffers (the hardware's table is full)"* | \
		*"may still be moving (no sync)"* | *" its reads of "*) return 0 ;;
	esac
	return 1
}

for run in $built; do
	cfg=${run%-c0}
	xml=$root/configs/$cfg.xml
	read -r sim lat <"$work/$run.sim"
	echo "== $run (latency $lat)"
	t1=$(date +%s)

	# models, $jobs at a time
	models="zoo:swiftnet-hpd"
	[ "$run" != npu-32k ] || models="$models zoo:swiftnet-hpd+per-channel"
	[ $full = 0 ] || [ "$run" != npu-tiny ] || models="$models zoo:randwire-cifar10"
	dirs='' pids='' n=0
	for m in $models; do
		d=$work/$run-${m#zoo:}
		if ! model_dir "$xml" "$m" "$d"; then
			fail "$run $m: serenity compile: $(tail -n 3 "$d.log")"
			continue
		fi
		run_pair "$d" "$run $m" "$xml" "$lat" &
		dirs="$dirs $d" pids="$pids $!" n=$((n + 1))
		if [ $n -ge "$jobs" ]; then
			for p in $pids; do wait "$p" || true; done
			pids='' n=0
		fi
	done
	for p in $pids; do wait "$p" || true; done
	for d in $dirs; do
		tee -a "$results" <"$d/result"
	done

	# good streams by hand (not for CHECK=0 with --quick)
	ncases=$("$streamgen" ncases)
	[ $quick = 0 ] || [ "$run" = "$cfg" ] || ncases=0
	k=0 bad=0
	while [ $k -lt "$ncases" ]; do
		d=$work/$run-case-$k
		rm -rf "$d"
		mkdir -p "$d"
		"$streamgen" case "$k" "$d" "$xml"
		run_pair "$d" "$run case $k" "$xml" "$lat"
		if ! grep -q '^ok' "$d/result"; then
			tee -a "$results" <"$d/result"
			bad=$((bad + 1))
		fi
		k=$((k + 1))
	done
	[ $bad != 0 ] || [ "$ncases" = 0 ] ||
		say "ok   $run: $ncases good cases: DRAM images bit-exact, counters and port monitor equal"

	# random streams (not for CHECK=0 with --quick)
	if [ $quick = 1 ] && [ "$run" != "$cfg" ]; then
		n=0
	elif [ -n "$seeds" ]; then
		n=$seeds
	elif [ "$run" = npu-tiny ]; then
		n=40
		[ $quick = 0 ] || n=12
		[ $full = 0 ] || n=100
	else
		n=12
		[ $full = 0 ] || n=30
	fi
	k=1 bad=0
	while [ $k -le "$n" ]; do
		d=$work/$run-random-$k
		rm -rf "$d"
		mkdir -p "$d"
		if ! "$streamgen" good "$k" "$d" "$xml" 2>"$d/gen.err"; then
			fail "$run random $k: streamgen: $(cat "$d/gen.err")"
			bad=$((bad + 1))
		else
			run_pair "$d" "$run random $k" "$xml" "$lat"
			if ! grep -q '^ok' "$d/result"; then
				tee -a "$results" <"$d/result"
				bad=$((bad + 1))
			fi
		fi
		k=$((k + 1))
	done
	[ $bad != 0 ] || [ "$n" = 0 ] ||
		say "ok   $run: $n random streams: DRAM images bit-exact, counters and port monitor equal"
	[ $bad = 0 ] || say "     $run: $bad of $n random streams failed"

	# streams that break a rule; with CHECK=0, those of a rule it drops must
	# run to END (their CHECK=1 message, from npu-tiny's run, names the rule)
	nbad=$("$streamgen" nbad)
	k=0 bad=0 ndropped=0
	while [ $k -lt "$nbad" ]; do
		d=$work/$run-check-$k
		rm -rf "$d"
		mkdir -p "$d"
		"$streamgen" bad "$k" "$d" "$xml"
		# shellcheck disable=SC1091
		. "$d/params"
		want=$("$fsim_image" "$xml" "$d/stream.bin" "$d/dram.bin" "$d/fsim.bin" | sed -n 's/^error: //p')
		if [ "$run" != "$cfg" ]; then
			full=$(sed -n 's/^npu_sim: //p' "$work/$cfg-check-$k/rtl.err" 2>/dev/null)
			if [ -z "$full" ] && [ "$expect" != fsim ]; then
				expect="none (no CHECK=1 run of $cfg)"
			elif dropped "$full"; then
				expect=dropped ndropped=$((ndropped + 1))
			elif [ "$expect" = limit ]; then
				want=$full # the RTL's own limit: CHECK=1's message
				expect=stop
			fi
		fi
		set +e
		"$sim" +stream="$d/stream.bin" +dram="$d/dram.bin" +stream_base="$stream_base" \
			+weight_end="$weight_end" +act_end="$act_end" +latency="$lat" +timeout=1000000 \
			>/dev/null 2>"$d/rtl.err"
		st=$?
		set -e
		got=$(sed -n 's/^npu_sim: //p' "$d/rtl.err")
		case $expect in
		stop) [ -n "$want" ] && [ $st = 1 ] && [ "$got" = "$want" ] ;;
		fsim) [ -n "$want" ] && [ $st = 0 ] ;;
		dropped) [ $st = 0 ] ;;
		limit) [ -z "$want" ] && [ $st = 1 ] && [ -n "$got" ] ;;
		*) false ;;
		esac || {
			fail "$run check $k ($expect): npu_sim exit $st '$got'; fsim '$want' ($d)"
			bad=$((bad + 1))
		}
		k=$((k + 1))
	done
	if [ $bad != 0 ]; then
		:
	elif [ "$run" = "$cfg" ]; then
		say "ok   $run: $nbad broken streams: npu_sim stops with fsim's message (or, for rules it does not check, runs)"
	else
		say "ok   $run: $nbad broken streams: $((nbad - ndropped)) stop as with CHECK=1, $ndropped of rules CHECK=0 drops run to END"
	fi
	echo "     $run: $(($(date +%s) - t1)) s of tests"
done

if [ $unit = 1 ]; then
	echo "== unit testbenches"
	if wait "$unit_pid"; then
		trap - EXIT
		grep '^ok' "$work/unit.log" || true
		say "ok   unit testbenches ($(($(date +%s) - t_unit)) s)"
	else
		cat "$work/unit.log"
		fail "unit testbenches (see $work/unit.log)"
	fi
fi

failures=$(grep -c '^FAIL' "$results" || true)
secs=$(($(date +%s) - t_start))
if [ "$failures" = 0 ]; then
	echo "rtl.sh: all passed ($secs s)"
	exit 0
fi
echo "rtl.sh: $failures failed ($secs s; $results)"
exit 1
