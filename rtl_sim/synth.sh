#!/bin/sh
# synth.sh: synthesizes the NPU for one accelerator config and reports its
# FPGA resources.
#
#   rtl_sim/synth.sh CFG.xml [--ice40] [--hier] [--hw DIR] [-P NAME=VALUE]...
#                    [-o REPORT.json]
#
# Reads the config's nine hardware parameters from `serenity check-config
# CFG` (the values rtl_sim/build.sh gets: SRAM_BYTES, NB, BB, WBUF_BYTES,
# RD_BPC, WR_BPC, ROWS, COLS, VW), reads every hw/*.sv with `read_verilog
# -sv` as it is, gives them to npu_top with `hierarchy -chparam`, and runs
#   default:  synth_ecp5 on npu_top; prints the cells (LUT4, CCU2C carries,
#             TRELLIS_FF, DP16KD, TRELLIS_DPR16X4, MULT18X18D) and the fit
#             against an ECP5-85 (LFE5U-85F: 83,640 LUT4, 208 DP16KD, 156
#             MULT18X18D), counting LUT4 positions: a LUT4 one, a CCU2C
#             (2-bit carry) two, a DPR16X4 (16x4 LUT RAM) the six of its
#             three slices.  An estimate: there is no ECP5 placer here.
#   --ice40:  synth_ice40 -dsp -spram on hw/fpga/npu_ice40.sv (npu_top
#             behind a byte-wide bus, the pins of a UP5K sg48), then, if the
#             cells fit, nextpnr-ice40 --up5k --package sg48 with
#             hw/fpga/npu_ice40.pcf; prints SB_LUT4, SB_RAM40_4K (30),
#             SB_SPRAM256KA (4), SB_MAC16 (8), the placed logic cells
#             (5,280) and the Fmax of nextpnr's timing report.
# Both list every memory and how it was mapped (block RAM, LUT RAM, or
# flip-flops, which the RTL must never need: such memories are counted as
# "in FFs" and listed in the report's memories.in_ffs), and the multipliers
# and dividers ($mul, $div, $mod: widths after wreduce, per module).
#   --hier    keep the hierarchy (-noflatten): per-module cells too, each
#             module's own cells times its instances (the total is above the
#             flattened one, 30% on npu-tiny: no optimization across module
#             boundaries, unused outputs kept)
#   --hw DIR  read the NPU's sources from DIR instead of hw/ (to try a
#             change to a module without touching hw/)
#   -P NAME=VALUE  one more parameter of npu_top (npu_ice40 passes them
#             on), e.g. -P NBUF=16 -P NPEND=16: the hardware limits that are
#             not in the config (NBUF NPEND QDEPTH IQ MAXB NOUT CW)
#   -o FILE   writes a JSON report: params, cells, fit, memories, muls,
#             per-module cells (--hier), nextpnr's numbers (--ice40), and
#             the run times
# Yosys runs its synth script up to "check" and then hierarchy, stat and
# check itself: that step starts with autoname, which in Yosys 0.23 takes
# longer than the whole synthesis on this design and changes only names.
# Run time (2 shared cores): npu-tiny 20 min, npu-64k 45 min; Yosys needs
# about 4 GB for npu-64k.
# Work happens in a temporary directory, removed at exit; nothing is cached.
# Progress lines go to stderr, the summary to stdout.  Exit 0 when
# synthesis (and, with --ice40, placement and routing) succeeded, 1 on a
# failure (one line on stderr; with --ice40 also when the design does not
# fit, after the summary), 2 on a usage error.  Environment: SERENITY
# (default build/serenity), YOSYS (default yosys), NEXTPNR (default
# nextpnr-ice40), SYNTH_FREQ (nextpnr's target in MHz, default 20).
set -eu

prog=synth.sh
usage() {
	echo "usage: $prog CFG.xml [--ice40] [--hier] [--hw DIR] [-P NAME=VALUE]... [-o REPORT.json]" >&2
	exit 2
}
die() {
	echo "$prog: $*" >&2
	exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cfg='' ice40=0 hier=0 report='' hw=$root/hw extra=''
while [ $# -gt 0 ]; do
	case $1 in
	--ice40) ice40=1 ;;
	--hier) hier=1 ;;
	--hw)
		[ $# -ge 2 ] || usage
		hw=$2
		shift
		;;
	-o)
		[ $# -ge 2 ] || usage
		report=$2
		shift
		;;
	-P)
		[ $# -ge 2 ] || usage
		case $2 in
		[A-Z]*=[0-9]*) ;;
		*) usage ;;
		esac
		case ${2#*=} in
		'' | *[!0-9]*) usage ;;
		esac
		extra="$extra ${2%%=*}=${2#*=}"
		shift
		;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		[ -z "$cfg" ] || usage
		cfg=$1
		;;
	esac
	shift
done
[ -n "$cfg" ] || usage
[ -f "$cfg" ] || die "$cfg: no such file"
[ -d "$hw" ] || die "$hw: no such directory"
hw=$(cd "$hw" && pwd)
serenity=${SERENITY:-$root/build/serenity}
yosys=${YOSYS:-yosys}
nextpnr=${NEXTPNR:-nextpnr-ice40}
freq=${SYNTH_FREQ:-20}
[ -x "$serenity" ] || die "$serenity: not built (cmake --build build), or set SERENITY"
command -v "$yosys" >/dev/null 2>&1 || die "$yosys: not found"
if [ $ice40 = 1 ]; then
	command -v "$nextpnr" >/dev/null 2>&1 || die "$nextpnr: not found"
	[ -f "$root/hw/fpga/npu_ice40.sv" ] || die "$root/hw/fpga/npu_ice40.sv: missing"
fi

# ---- the config's parameters: the line check-config prints ----
line=$("$serenity" check-config "$cfg" 2>&1) || die "$(printf '%s\n' "$line" | head -n 1)"
field() { # sed pattern with one group -> its value, or empty
	printf '%s\n' "$line" | sed -n "s|.*$1.*|\\1|p" | head -n 1
}
name=$(field 'ok: \([^,]*\),')
sram=$(field 'SRAM \([0-9]*\) bytes')
rd=$(field 'DMA \([0-9]*\)/[0-9]* bytes per cycle')
wr=$(field 'DMA [0-9]*/\([0-9]*\) bytes per cycle')
rows=$(field 'MAC array \([0-9]*\)x[0-9]*')
cols=$(field 'MAC array [0-9]*x\([0-9]*\)')
vw=$(field 'vector \([0-9]*\)')
nb=$(field ' \([0-9]*\) banks of [0-9]* bytes')
bb=$(field ' [0-9]* banks of \([0-9]*\) bytes')
wbuf=$(field 'weight buffer \([0-9]*\) bytes')
for v in "$sram" "$nb" "$bb" "$wbuf" "$rd" "$wr" "$rows" "$cols" "$vw"; do
	case $v in
	'' | *[!0-9]*) die "cannot read the parameters from: $line" ;;
	esac
done
chparam="-chparam SRAM_BYTES $sram -chparam NB $nb -chparam BB $bb -chparam WBUF_BYTES $wbuf"
chparam="$chparam -chparam RD_BPC $rd -chparam WR_BPC $wr -chparam ROWS $rows -chparam COLS $cols -chparam VW $vw"
params="SRAM_BYTES=$sram NB=$nb BB=$bb WBUF_BYTES=$wbuf RD_BPC=$rd WR_BPC=$wr ROWS=$rows COLS=$cols VW=$vw"
for p in $extra; do
	chparam="$chparam -chparam ${p%%=*} ${p#*=}"
	params="$params $p"
done

# ---- the work directory; a signal also ends the tool running in it ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/serenity-synth.XXXXXX")
child=
cleanup() {
	if [ -n "$child" ]; then kill "$child" 2>/dev/null || :; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "$prog: interrupted" >&2; exit 1' INT TERM HUP

now() { date +%s; }
log() { echo "$prog: $*" >&2; }

# Runs "$@" (logging to $1's file) in the background, printing the pass it
# is in every 30 s, so a long Yosys run shows it is alive.
run_watched() {
	what=$1 logf=$2
	shift 2
	"$@" >"$logf.out" 2>&1 &
	child=$!
	last='' n=0
	while kill -0 "$child" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		[ $((n % 30)) = 0 ] || continue
		step=$(grep -E '^[0-9]+\.[0-9]+\. Executing [A-Z0-9_]+ pass|^Info: (Placed|Routing|Setting up|Running)' "$logf" 2>/dev/null |
			tail -n 1 | sed 's/^[0-9.]* Executing \([A-Z0-9_]*\) pass.*/\1/; s/^Info: //')
		[ "$step" = "$last" ] || log "$what: ${n}s, $step"
		last=$step
	done
	rc=0
	wait "$child" || rc=$?
	child=
	return $rc
}

# ---- Yosys ----
files=
for f in "$hw"/*.sv; do files="$files $f"; done
[ -n "$files" ] || die "$hw: no .sv files"
if [ $ice40 = 1 ]; then
	top=npu_ice40
	files="$files $root/hw/fpga/npu_ice40.sv"
	synth="synth_ice40 -top $top -dsp -spram"
	target=ice40
else
	top=npu_top
	synth="synth_ecp5 -top $top"
	target=ecp5
fi
if [ $hier = 1 ]; then synth="$synth -noflatten"; fi
# The synth script up to its "check" step (not autoname: see above).
{
	echo "read_verilog -sv$files"
	echo "hierarchy -check -top $top $chparam"
	echo "proc"
	echo "opt_expr"
	echo "opt_clean"
	echo "wreduce"
	echo "opt_clean"
	echo "tee -q -o $tmp/mulsel.txt select -list t:\$mul t:\$div t:\$mod t:\$divfloor t:\$modfloor"
	echo "tee -q -o $tmp/mul.txt dump t:\$mul t:\$div t:\$mod t:\$divfloor t:\$modfloor"
	echo "$synth -run begin:check"
	echo "hierarchy -check"
	echo "tee -q -o $tmp/stat.txt stat"
	echo "tee -q -o $tmp/check.txt check -noinit"
	if [ $ice40 = 1 ]; then echo "write_json $tmp/npu.json"; fi
} >"$tmp/synth.ys"

log "$name ($params): yosys $synth (minutes)"
t0=$(now)
run_watched yosys "$tmp/yosys.log" "$yosys" -q -l "$tmp/yosys.log" "$tmp/synth.ys" ||
	die "yosys failed: $(grep -m 1 -E 'ERROR' "$tmp/yosys.log" "$tmp/yosys.log.out" 2>/dev/null | head -n 1 | sed 's/^[^:]*://')"
t_yosys=$(($(now) - t0))
log "yosys: done in ${t_yosys}s"

# ---- the cells: "module<TAB>type<TAB>count", module TOTAL for the whole
# design; instances of each module (--hier) in inst.tsv ----
awk -v cells="$tmp/cells.tsv" -v inst="$tmp/inst.tsv" '
	/^=== / { m = $2; if (m == "design") m = "TOTAL"; hdr = (m == "TOTAL"); next }
	# the hierarchy is a tree, two spaces a level, each count per parent:
	# a module under a module instantiated k times, n times each, has n*k
	hdr && NF == 2 && $2 ~ /^[0-9]+$/ {
		match($0, /^ */); lv = (RLENGTH - 3) / 2
		k[lv] = $2 * (lv > 0 ? k[lv - 1] : 1); n[$1] += k[lv]; next
	}
	/^   Number of cells:/ { incells = 1; hdr = 0; next }
	incells && NF == 2 && $2 ~ /^[0-9]+$/ { print m "\t" $1 "\t" $2 > cells; next }
	{ incells = 0; if (NF && $1 == "Number") hdr = 0 }
	END { for (m in n) print m "\t" n[m] > inst }
' "$tmp/stat.txt"
touch "$tmp/cells.tsv" "$tmp/inst.tsv"
if ! grep -q '^TOTAL	' "$tmp/cells.tsv"; then # flattened: one module, the top
	awk -F '\t' -v top="$top" '$1 == top { print "TOTAL\t" $2 "\t" $3 }' "$tmp/cells.tsv" >"$tmp/total.tsv"
	cat "$tmp/total.tsv" >>"$tmp/cells.tsv"
fi
cnt() { # cnt MODULE TYPE-REGEX -> sum of counts
	awk -F '\t' -v m="$1" -v t="^($2)\$" '$1 == m && $2 ~ t { s += $3 } END { print s + 0 }' "$tmp/cells.tsv"
}

# ---- memories: how memory_libmap mapped each ----
grep -E '^mapping memory .* via |^using FF mapping for memory ' "$tmp/yosys.log" |
	sed 's/^mapping memory \(.*\) via \(.*\)$/\1\t\2/; s/^using FF mapping for memory \(.*\)$/\1\tFF/' |
	sed 's/^\$paramod\$[0-9a-f]*\\//; s/^\$paramod\\\([^\\]*\)\\[^.]*\./\1./' >"$tmp/mem.tsv" || :
# A case statement Yosys turned into a ROM (proc_rom) becomes logic when not
# in block RAM: not a memory of the RTL's.
mem_block=$(awk -F '\t' '$2 ~ /DP16KD|PDPW16KD|RAM40|SPRAM/' "$tmp/mem.tsv" | wc -l)
mem_lut=$(awk -F '\t' '$2 ~ /DPR16X4/' "$tmp/mem.tsv" | wc -l)
mem_ff=$(awk -F '\t' '$2 == "FF" && $1 !~ /proc_rom/ { print $1 }' "$tmp/mem.tsv")
rom_ff=$(awk -F '\t' '$2 == "FF" && $1 ~ /proc_rom/' "$tmp/mem.tsv" | wc -l)

# ---- multipliers (and dividers), before DSP mapping: module, A x B -> Y, signedness ----
# (dump names the cells, select -list their modules)
awk '
	FILENAME ~ /mulsel.txt$/ {
		i = index($0, "/"); m = substr($0, 1, i - 1)
		sub(/^\$paramod\$[0-9a-f]*\\/, "", m); sub(/^\$paramod\\/, "", m); sub(/^\\/, "", m); sub(/\\.*/, "", m)
		mod[substr($0, i + 1)] = m; next
	}
	/^ *cell \$(mul|div|mod|divfloor|modfloor) / { m = mod[$3]; op = substr($2, 2); c = 1; as = bs = 0; next }
	c && /parameter \\A_SIGNED/ { as = $3 }
	c && /parameter \\A_WIDTH/ { a = $3 }
	c && /parameter \\B_SIGNED/ { bs = $3 }
	c && /parameter \\B_WIDTH/ { b = $3 }
	c && /parameter \\Y_WIDTH/ { y = $3 }
	c && /^ *end/ { print m "\t" (op == "mul" ? "" : op " ") a "x" b "->" y (as && bs ? " signed" : ""); c = 0 }
' "$tmp/mulsel.txt" "$tmp/mul.txt" | sort | uniq -c | sed 's/^ *\([0-9]*\) \(.*\)$/\2	\1/' >"$tmp/mul.tsv"

# ---- the summary ----
T=TOTAL
if [ $ice40 = 0 ]; then
	lut=$(cnt $T LUT4) carry=$(cnt $T CCU2C) ff=$(cnt $T 'TRELLIS_FF')
	dpr=$(cnt $T TRELLIS_DPR16X4) bram=$(cnt $T DP16KD) mul=$(cnt $T MULT18X18D)
	alu=$(cnt $T ALU54B)
	# LUT4 positions: a CCU2C is two, a DPR16X4 (16x4 LUT RAM) three slices' six
	leq=$((lut + 2 * carry + 6 * dpr))
	fits=yes why=
	[ "$leq" -le 83640 ] || { fits=no why="$why LUT4"; }
	[ "$ff" -le 83640 ] || { fits=no why="$why FF"; }
	[ "$bram" -le 208 ] || { fits=no why="$why DP16KD"; }
	[ "$mul" -le 156 ] || { fits=no why="$why MULT18X18D"; }
	summary="$name ecp5: LUT4 $lut + CCU2C $carry + DPR16X4 $dpr = $leq LUT4 positions, FF $ff, DP16KD $bram, MULT18X18D $mul, ALU54B $alu"
	fitline="fit LFE5U-85F: LUT4 $leq/83640 ($((leq * 100 / 83640))%), FF $ff/83640, DP16KD $bram/208, MULT18X18D $mul/156: ${fits}${why:+ (over:$why)}"
else
	lut=$(cnt $T SB_LUT4) carry=$(cnt $T SB_CARRY) ff=$(cnt $T 'SB_DFF[A-Z]*')
	bram=$(cnt $T SB_RAM40_4K) spram=$(cnt $T SB_SPRAM256KA) mul=$(cnt $T SB_MAC16)
	fits=yes why=
	[ "$lut" -le 5280 ] || { fits=no why="$why LUT"; }
	[ "$ff" -le 5280 ] || { fits=no why="$why FF"; }
	[ "$bram" -le 30 ] || { fits=no why="$why SB_RAM40_4K"; }
	[ "$spram" -le 4 ] || { fits=no why="$why SB_SPRAM256KA"; }
	[ "$mul" -le 8 ] || { fits=no why="$why SB_MAC16"; }
	summary="$name ice40: SB_LUT4 $lut, SB_CARRY $carry, FF $ff, SB_RAM40_4K $bram, SB_SPRAM256KA $spram, SB_MAC16 $mul"
	fitline="fit iCE40UP5K: LUT $lut/5280 ($((lut * 100 / 5280))%), FF $ff/5280, EBR $bram/30, SPRAM $spram/4, DSP $mul/8: ${fits}${why:+ (over:$why)}"
fi

# ---- place and route (iCE40) ----
pnr_ok=0 fmax='' lc='' t_pnr=0 pnr_err=''
if [ $ice40 = 1 ]; then
	if [ $fits = yes ]; then
		log "nextpnr-ice40 --up5k --package sg48 --freq $freq"
		t0=$(now)
		if run_watched nextpnr "$tmp/pnr.log" "$nextpnr" --up5k --package sg48 --freq "$freq" \
			--json "$tmp/npu.json" --pcf "$root/hw/fpga/npu_ice40.pcf" --asc "$tmp/npu.asc" \
			--log "$tmp/pnr.log" -q; then
			pnr_ok=1
		else
			pnr_err=$(grep -m 1 'ERROR' "$tmp/pnr.log" "$tmp/pnr.log.out" 2>/dev/null | head -n 1 | sed 's/^[^:]*://')
		fi
		t_pnr=$(($(now) - t0))
		fmax=$(grep 'Max frequency for clock' "$tmp/pnr.log" 2>/dev/null | tail -n 1 |
			sed -n 's/.*: *\([0-9.]*\) MHz.*/\1/p')
		lc=$(grep -E 'ICESTORM_LC: *[0-9]+/' "$tmp/pnr.log" 2>/dev/null | tail -n 1 |
			sed -n 's/.*ICESTORM_LC: *\([0-9]*\)\/.*/\1/p')
		log "nextpnr: done in ${t_pnr}s"
	else
		pnr_err="not placed: synthesis already exceeds the UP5K"
	fi
fi

echo "$summary"
echo "$fitline"
if [ $ice40 = 1 ]; then
	if [ $pnr_ok = 1 ]; then
		echo "nextpnr-ice40 up5k sg48: placed and routed, ICESTORM_LC ${lc:-?}/5280, Fmax ${fmax:-?} MHz (target $freq)"
	else
		echo "nextpnr-ice40 up5k sg48: $pnr_err"
	fi
fi
# Yosys's warnings, each once (a memory Yosys could not infer, a driver
# conflict, ...), and what check found
grep '^Warning' "$tmp/yosys.log" | sed 's/\$[0-9][0-9]*//g' | sort -u >"$tmp/warn.txt" || :
problems=$(sed -n 's/.*[Ff]ound and reported \([0-9]*\) problems.*/\1/p' "$tmp/check.txt" 2>/dev/null | tail -n 1)
echo "yosys warnings: $(grep -c . "$tmp/warn.txt" || :); check: ${problems:-0} problems"
sed 's/^Warning: /  /' "$tmp/warn.txt"
echo "memories: $mem_block in block RAM, $mem_lut in LUT RAM, $(printf '%s' "$mem_ff" | grep -c . || :) in FFs${mem_ff:+ ($(printf '%s' "$mem_ff" | tr '\n' ' '))}; case ROMs as logic: $rom_ff"
awk -F '\t' '{ printf "%s%s %s%s", (NR > 1 ? ", " : "multipliers, dividers (before mapping): "), $1, $2, ($3 > 1 ? " x" $3 : "") } END { if (NR) printf "\n" }' "$tmp/mul.tsv"
# per module: its own cells times its instances, modules by their names
# (parameterizations summed)
awk -F '\t' -v ice="$ice40" '
	function short(m) { sub(/^\$paramod\$[0-9a-f]*\\/, "", m); sub(/^\$paramod\\/, "", m); sub(/\\.*/, "", m); return m }
	FILENAME ~ /inst.tsv$/ { n[$1] = $2; next }
	$1 != "TOTAL" && ($1 in n) {
		m = short($1); k = n[$1]; key[m] = 1; ni[m] += 0
		if ($2 ~ /^(SB_LUT4|LUT4)$/) l[m] += k * $3
		else if ($2 ~ /^(SB_DFF|TRELLIS_FF)/) f[m] += k * $3
		else if ($2 ~ /^(DP16KD|SB_RAM40_4K|SB_SPRAM256KA)$/) r[m] += k * $3
		else if ($2 ~ /^(MULT18X18D|SB_MAC16)$/) x[m] += k * $3
		else if ($2 ~ /^(CCU2C|SB_CARRY)$/) c[m] += k * $3
		else if ($2 == "TRELLIS_DPR16X4") d[m] += k * $3
	}
	END { for (m in key) printf "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", m, l[m], c[m], f[m], r[m], d[m], x[m] }
' "$tmp/inst.tsv" "$tmp/cells.tsv" | sort -t '	' -k2,2nr >"$tmp/mod.tsv"
if [ -s "$tmp/mod.tsv" ]; then
	echo "per module (its own cells times its instances):"
	printf '  %-14s %7s %6s %7s %5s %6s %5s\n' module LUT carry FF RAM LUTRAM MUL
	awk -F '\t' '{ printf "  %-14s %7d %6d %7d %5d %6d %5d\n", $1, $2, $3, $4, $5, $6, $7 }' "$tmp/mod.tsv"
fi

# ---- the JSON report ----
if [ -n "$report" ]; then
	{
		jq() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
		printf '{\n  "config": %s,\n  "file": %s,\n  "target": "%s",\n  "hier": %s,\n' \
			"$(jq "$name")" "$(jq "$cfg")" "$target" "$([ $hier = 1 ] && echo true || echo false)"
		printf '  "params": {'
		printf '%s\n' $params | awk -F= '{ printf "%s\"%s\": %s", (NR > 1 ? ", " : ""), $1, $2 }'
		printf '},\n'
		printf '  "cells": {'
		awk -F '\t' '$1 == "TOTAL" && $2 !~ /^[$\\]/ { printf "%s\"%s\": %d", (n++ ? ", " : ""), $2, $3 }' "$tmp/cells.tsv"
		printf '},\n'
		if [ $ice40 = 0 ]; then
			printf '  "fit": {"device": "LFE5U-85F", "lut4_positions": [%d, 83640], "ff": [%d, 83640], "dp16kd": [%d, 208], "mult18x18d": [%d, 156], "dpr16x4": %d, "fits": %s},\n' \
				"$leq" "$ff" "$bram" "$mul" "$dpr" "$([ $fits = yes ] && echo true || echo false)"
		else
			printf '  "fit": {"device": "iCE40UP5K", "lut": [%d, 5280], "ff": [%d, 5280], "ebr": [%d, 30], "spram": [%d, 4], "dsp": [%d, 8], "fits": %s},\n' \
				"$lut" "$ff" "$bram" "$spram" "$mul" "$([ $fits = yes ] && echo true || echo false)"
			printf '  "pnr": {"routed": %s, "freq_mhz": %s, "fmax_mhz": %s, "icestorm_lc": %s, "error": %s},\n' \
				"$([ $pnr_ok = 1 ] && echo true || echo false)" "$freq" "${fmax:-null}" "${lc:-null}" "$(jq "$pnr_err")"
		fi
		printf '  "memories": {"block": %d, "lutram": %d, "rom_logic": %d, "in_ffs": [' "$mem_block" "$mem_lut" "$rom_ff"
		printf '%s\n' "$mem_ff" | awk 'NF { gsub(/\\/, "&&"); printf "%s\"%s\"", (n++ ? ", " : ""), $0 }'
		printf '], "map": ['
		awk -F '\t' '{ gsub(/\\/, "&&"); printf "%s{\"memory\": \"%s\", \"cell\": \"%s\"}", (n++ ? ", " : ""), $1, $2 }' "$tmp/mem.tsv"
		printf ']},\n  "muls": ['
		awk -F '\t' '{ printf "%s{\"module\": \"%s\", \"shape\": \"%s\", \"count\": %d}", (n++ ? ", " : ""), $1, $2, $3 }' "$tmp/mul.tsv"
		printf '],\n  "modules": {'
		awk -F '\t' '{ printf "%s\"%s\": {\"lut\": %d, \"carry\": %d, \"ff\": %d, \"ram\": %d, \"lutram\": %d, \"mul\": %d}", (n++ ? ", " : ""), $1, $2, $3, $4, $5, $6, $7 }' "$tmp/mod.tsv"
		printf '},\n  "warnings": ['
		tr '"' "'" <"$tmp/warn.txt" | awk '{ gsub(/\\/, "&&"); printf "%s\"%s\"", (n++ ? ", " : ""), $0 }'
		printf '],\n  "check_problems": %d,\n' "${problems:-0}"
		printf '  "seconds": {"yosys": %d, "nextpnr": %d}\n}\n' "$t_yosys" "$t_pnr"
	} >"$report.tmp" || die "$report: cannot write it"
	mv "$report.tmp" "$report" || die "$report: cannot write it"
fi

if [ $ice40 = 1 ] && [ $pnr_ok = 0 ]; then
	exit 1
fi
exit 0
