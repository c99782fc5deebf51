# lib.sh: what the shell tests share; sourced after S (serenity) and T
# (this directory) are set.  A work directory $W, removed at exit; ok and
# bad count checks; expect runs a command and checks its exit status.
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

json_int() { grep -o "\"$1\":[0-9]*" | cut -d: -f2; }
