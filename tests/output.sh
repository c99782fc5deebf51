#!/bin/sh
# output.sh: output files are written whole or not at all (src/output.c).
# Usage: output.sh SERENITY TESTDIR.
S=$1
T=$2
. "$T/lib.sh"
C=$T/../configs

# no temporary left beside the outputs in $W
no_temps() {
	left=$(find "$W" -name '*.tmp-*' -o -name '*.old-*')
	[ -z "$left" ] && ok || bad "$1: left $left"
}

# Two processes writing one -o at once: the file is always one whole
# output; a process that succeeded alone has its output in place.
"$S" export random:20000:1 --format graph -o "$W/one.ref"
"$S" export random:20000:2 --format graph -o "$W/two.ref"
i=0
while [ $i -lt 25 ]; do
	"$S" export random:20000:1 --format graph -o "$W/both" 2>"$W/e1" &
	p1=$!
	"$S" export random:20000:2 --format graph -o "$W/both" 2>"$W/e2" &
	p2=$!
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	if cmp -s "$W/both" "$W/one.ref"; then
		[ $r1 -eq 0 ] && ok || bad "concurrent writers: the output of one that failed ($r1)"
	elif cmp -s "$W/both" "$W/two.ref"; then
		[ $r2 -eq 0 ] && ok || bad "concurrent writers: the output of one that failed ($r2)"
	else
		bad "concurrent writers: a mix of two outputs (exits $r1 $r2)"
	fi
	for r in "$r1:$W/e1" "$r2:$W/e2"; do
		[ "${r%%:*}" -eq 0 ] || [ "$(wc -l <"${r#*:}")" -eq 1 ] && ok || bad "concurrent writer: $(cat "${r#*:}")"
	done
	rm -f "$W/both"
	i=$((i + 1))
done
no_temps "concurrent writers"

# A symbolic link planted at the old fixed temporary name is not followed.
echo keep >"$W/victim"
ln -s victim "$W/p.graph.tmp"
expect 0 "$S" export random:20000:1 --format graph -o "$W/p.graph"
[ "$(cat "$W/victim")" = keep ] && [ -L "$W/p.graph.tmp" ] && ok || bad "planted link followed"
[ ! -L "$W/p.graph" ] && cmp -s "$W/p.graph" "$W/one.ref" && ok || bad "planted link: output"

# An output naming an input is refused in one line, the input unchanged.
cp "$C/npu-64k.xml" "$W/cfg.xml"
expect 1 "$S" sweep zoo:swiftnet-hpd --config "$W/cfg.xml" --sram 64KiB -o "$W/cfg.xml"
[ "$(wc -l <"$W/err")" -eq 1 ] && grep -q 'cfg.xml: is the input' "$W/err" && ok || bad "sweep -o CFG: $(cat "$W/err")"
cmp -s "$W/cfg.xml" "$C/npu-64k.xml" && ok || bad "sweep -o CFG replaced it"
ln -s cfg.xml "$W/cfg.svg"
expect 1 "$S" sweep zoo:swiftnet-hpd --config "$W/cfg.xml" --sram 64KiB -o "$W/x.csv" --plot "$W/cfg.svg"
grep -q 'cfg.svg: is the input' "$W/err" && [ ! -e "$W/x.csv" ] && ok || bad "sweep --plot CFG: $(cat "$W/err")"
cmp -s "$W/cfg.xml" "$C/npu-64k.xml" && ok || bad "sweep --plot CFG replaced it"
expect 1 "$S" sweep "$W/one.ref" --config "$C/npu-64k.xml" --sram 64KiB -o "$W/one.ref"
grep -q 'one.ref: is the input' "$W/err" && ok || bad "sweep -o MODEL: $(cat "$W/err")"
expect 1 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 64KiB -o "$W/x.svg" --plot "$W/x.svg"
grep -q 'x.svg: is the input' "$W/err" && ok || bad "sweep -o X --plot X: $(cat "$W/err")"
cp "$W/one.ref" "$W/in.graph"
ln "$W/in.graph" "$W/hard.graph"
expect 1 "$S" export "$W/in.graph" --format graph -o "$W/hard.graph"
grep -q 'hard.graph: is the input' "$W/err" && ok || bad "export -o INPUT: $(cat "$W/err")"
expect 1 "$S" export "$W/in.graph" --format onnx -o "$W/in.graph"
cmp -s "$W/in.graph" "$W/one.ref" && ok || bad "export -o INPUT replaced it"
expect 1 "$S" schedule "$W/in.graph" --scheduler file --plot "$W/in.graph"
grep -q 'in.graph: is the input' "$W/err" && ok || bad "schedule --plot INPUT: $(cat "$W/err")"
no_temps "inputs refused"

# compile -o DIR replaces the set as a whole: a failure midway (dram.bin
# over the file size limit, stream.bin under it) leaves the old set.
expect 0 "$S" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" -o "$W/set"
cp -r "$W/set" "$W/set.ref"
# shellcheck disable=SC3045
(trap '' XFSZ && ulimit -f 1000 && exec "$S" compile zoo:swiftnet-hpd --rewrite \
	--config "$C/npu-64k.xml" -o "$W/set") >"$W/out" 2>"$W/err"
[ $? -eq 1 ] && grep -q 'set/dram.bin: cannot write: File too large' "$W/err" && ok ||
	bad "compile over the size limit: $(cat "$W/err")"
diff -r "$W/set" "$W/set.ref" >/dev/null && ok || bad "compile failing midway changed the set"
expect 0 "$S" compile zoo:swiftnet-hpd --rewrite --config "$C/npu-64k.xml" -o "$W/set/"
cmp -s "$W/set/stream.bin" "$W/set.ref/stream.bin" && bad "compile -o DIR/ did not replace" || ok
[ "$(ls "$W/set" | wc -l)" -eq 4 ] && ok || bad "compile -o DIR: $(ls "$W/set")"
echo mine >"$W/set/notes.txt"
expect 1 "$S" compile zoo:swiftnet-hpd --config "$C/npu-64k.xml" -o "$W/set"
grep -q 'set: holds notes.txt, which this command does not write' "$W/err" && ok ||
	bad "compile -o DIR with a user's file: $(cat "$W/err")"
[ "$(cat "$W/set/notes.txt")" = mine ] && ok || bad "compile removed a user's file"
mkdir "$W/cal"
cp "$C/npu-64k.xml" "$W/cal/stream.bin"
expect 1 "$S" compile zoo:swiftnet-hpd --config "$W/cal/stream.bin" -o "$W/cal"
grep -q 'stream.bin: is the input' "$W/err" && ok || bad "compile -o DIR holding its config: $(cat "$W/err")"
no_temps "compile -o DIR"

# sweep: the CSV and its plot together.  The plot fails (over the file
# size limit; a link to /dev/full): the old CSV stays, no new one appears.
echo old >"$W/s.csv"
# shellcheck disable=SC3045
(trap '' XFSZ && ulimit -f 2 && exec "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" \
	--sram 64KiB -o "$W/s.csv" --plot "$W/s.svg") >"$W/out" 2>"$W/err"
[ $? -eq 1 ] && grep -q 's.svg: cannot write: File too large' "$W/err" && ok ||
	bad "sweep, plot over the size limit: $(cat "$W/err")"
[ "$(cat "$W/s.csv")" = old ] && [ ! -e "$W/s.svg" ] && ok || bad "sweep: a failed plot left a new CSV"
if [ -w /dev/full ]; then
	ln -s /dev/full "$W/full.svg"
	expect 1 "$S" sweep zoo:swiftnet-hpd --config "$C/npu-64k.xml" --sram 64KiB -o "$W/t.csv" --plot "$W/full.svg"
	grep -q 'full.svg: cannot write: No space left on device' "$W/err" && [ ! -e "$W/t.csv" ] && ok ||
		bad "sweep, plot to /dev/full: $(cat "$W/err")"
fi
no_temps "sweep"

echo "output: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
