# peak.awk: an independent evaluator of the paper memory model, for the
# command-line tests.  Usage: awk -f peak.awk GRAPH ORDER
# GRAPH is in the plain graph format; ORDER has one op name per line.  A
# join's inputs are written in place into its output: it adds nothing, and
# they are freed with it (so freeing them adds nothing either).  A dram
# node (a graph input left in DRAM) takes nothing.
# Prints "peak BYTES" or "error: WHY" (and exits 1).
FNR == 1 { file++ }
file == 1 {
	sub(/#.*/, "")
	if (NF == 0) next
	name = $2; bytes[name] = $3; n++
	made[name] = $1 == "join" || $1 == "dram" ? 0 : $3
	if ($1 == "dram") inplace[name] = 1
	for (i = 4; i <= NF; i++) {
		if ($1 == "join") inplace[$i] = 1
		if (!((name, $i) in reads)) { reads[name, $i] = 1; left[$i]++ }
		ins[name] = ins[name] " " $i
	}
	next
}
file == 2 {
	if (NF == 0) next
	v = $1
	if (!(v in bytes)) { print "error: unknown op " v; bad = 1; exit 1 }
	if (v in done) { print "error: " v " twice"; bad = 1; exit 1 }
	k = split(ins[v], in_, " ")
	for (i = 1; i <= k; i++)
		if (!(in_[i] in done)) { print "error: " v " before " in_[i]; bad = 1; exit 1 }
	live += made[v]
	if (live > peak) peak = live
	done[v] = 1; steps++
	delete seen
	for (i = 1; i <= k; i++) {
		t = in_[i]
		if (t in seen) continue
		seen[t] = 1
		if (--left[t] == 0 && !(t in inplace)) live -= bytes[t]
	}
}
END {
	if (bad) exit 1
	if (steps != n) { print "error: " steps " of " n " ops scheduled"; exit 1 }
	print "peak " peak
}
