/* test_output.c: output files whole or not at all (output.c), and what a
 * signal leaves behind (cleanup.c). */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "output.h"

/* A fresh directory for one test. */
static void scratch(char dir[64])
{
	strcpy(dir, "/tmp/serenity-test-output-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void rm_rf(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *de; (de = readdir(d));)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The contents of dir/name ("" when missing), in a static buffer. */
static const char *get(const char *dir, const char *name)
{
	static char buf[256];
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	buf[0] = 0;
	FILE *f = fopen(path, "r");
	if (f) {
		buf[fread(buf, 1, sizeof buf - 1, f)] = 0;
		fclose(f);
	}
	return buf;
}

static int write_text(FILE *f, const void *arg)
{
	fputs(arg, f);
	return ferror(f) ? -1 : 0;
}

static int write_fails(FILE *f, const void *arg)
{
	(void)arg;
	fputs("half", f);
	return -1;
}

static void test_planted_link_not_followed(void **state)
{
	(void)state;
	char d[64], path[128], link[128];
	scratch(d);
	put(d, "victim", "keep");
	snprintf(path, sizeof path, "%s/out", d);
	snprintf(link, sizeof link, "%s/out.tmp", d);
	assert_int_equal(symlink("victim", link), 0); /* the old fixed temporary name */
	Err e;
	assert_int_equal(out_write(path, write_text, "new", &e), 0);
	assert_string_equal(get(d, "victim"), "keep");
	assert_string_equal(get(d, "out"), "new");
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(entries(d), 3); /* victim, out, out.tmp: no temporary left */
	rm_rf(d);
}

static void test_write_through_link_and_failure(void **state)
{
	(void)state;
	char d[64], path[128];
	scratch(d);
	put(d, "real", "old");
	snprintf(path, sizeof path, "%s/link", d);
	assert_int_equal(symlink("real", path), 0);
	Err e;
	assert_int_equal(out_write(path, write_text, "new", &e), 0);
	assert_string_equal(get(d, "real"), "new"); /* the link's target replaced */
	assert_int_equal(out_write(path, write_fails, NULL, &e), -1);
	assert_string_equal(e.msg + strlen(e.msg) - 12, "write failed");
	assert_string_equal(get(d, "real"), "new");
	assert_int_equal(entries(d), 2);
	rm_rf(d);
}

/* The second file of a set fails: the first is not replaced. */
static void test_set_all_or_nothing(void **state)
{
	(void)state;
	char d[64], a[128], b[128];
	scratch(d);
	put(d, "a.csv", "old a");
	snprintf(a, sizeof a, "%s/a.csv", d);
	snprintf(b, sizeof b, "%s/b.svg", d);
	OutSet s = {0};
	Err e;
	assert_int_equal(out_stage(&s, a, write_text, "new a", &e), 0);
	assert_int_equal(out_stage(&s, b, write_fails, NULL, &e), -1);
	assert_int_equal(s.n, 0);
	assert_string_equal(get(d, "a.csv"), "old a");
	assert_int_equal(entries(d), 1);

	/* both staged, then b turns into a directory: its rename fails, and
	 * a, renamed already, is put back */
	assert_int_equal(out_stage(&s, a, write_text, "new a", &e), 0);
	assert_int_equal(out_stage(&s, b, write_text, "new b", &e), 0);
	assert_int_equal(mkdir(b, 0777), 0);
	put(d, "b.svg/x", "x");
	assert_int_equal(out_commit(&s, &e), -1);
	assert_string_equal(get(d, "a.csv"), "old a");
	assert_int_equal(entries(d), 2);

	/* and when b can be written, both are */
	rm_rf(b);
	assert_int_equal(out_stage(&s, a, write_text, "new a", &e), 0);
	assert_int_equal(out_stage(&s, b, write_text, "new b", &e), 0);
	assert_int_equal(out_commit(&s, &e), 0);
	assert_string_equal(get(d, "a.csv"), "new a");
	assert_string_equal(get(d, "b.svg"), "new b");
	assert_int_equal(entries(d), 2);
	rm_rf(d);
}

static void test_check_refuses_inputs(void **state)
{
	(void)state;
	char d[64], in[128], hard[128], soft[128], out[128], none[128];
	scratch(d);
	put(d, "in", "input");
	snprintf(in, sizeof in, "%s/in", d);
	snprintf(hard, sizeof hard, "%s/hard", d);
	snprintf(soft, sizeof soft, "%s/soft", d);
	snprintf(out, sizeof out, "%s/out", d);
	snprintf(none, sizeof none, "%s/no/out", d);
	assert_int_equal(link(in, hard), 0);
	assert_int_equal(symlink("in", soft), 0);
	const char *inputs[] = {"zoo:x", in, NULL};
	Err e;
	assert_int_equal(out_check(in, inputs, &e), -1);
	assert_non_null(strstr(e.msg, "is the input"));
	assert_int_equal(out_check(hard, inputs, &e), -1);
	assert_int_equal(out_check(soft, inputs, &e), -1);
	assert_int_equal(out_check(d, inputs, &e), -1);
	assert_non_null(strstr(e.msg, "is a directory"));
	assert_int_equal(out_check(none, inputs, &e), -1);
	assert_non_null(strstr(e.msg, "no such directory"));
	assert_int_equal(out_check(out, inputs, &e), 0);
	assert_string_equal(get(d, "in"), "input");
	rm_rf(d);
}

static const char *const names[] = {"one", "two", "three", NULL};

static void test_dir_replaced_whole(void **state)
{
	(void)state;
	char d[64], out[128];
	scratch(d);
	snprintf(out, sizeof out, "%s/out", d);
	OutWriter w[] = {write_text, write_text, write_text};
	const void *first[] = {"1", "2", "3"}, *second[] = {"a", "b", "c"};
	Err e;
	assert_int_equal(out_check_dir(out, names, NULL, &e), 0);
	assert_int_equal(out_write_dir(out, names, w, first, &e), 0);
	assert_string_equal(get(out, "three"), "3");

	/* the third file fails: the first set stays whole, nothing is left over */
	OutWriter fail3[] = {write_text, write_text, write_fails};
	assert_int_equal(out_write_dir(out, names, fail3, second, &e), -1);
	assert_non_null(strstr(e.msg, "out/three: write failed"));
	assert_string_equal(get(out, "one"), "1");
	assert_string_equal(get(out, "two"), "2");
	assert_string_equal(get(out, "three"), "3");
	assert_int_equal(entries(d), 1);
	assert_int_equal(entries(out), 3);

	/* replaced, and the old set removed */
	assert_int_equal(out_write_dir(out, names, w, second, &e), 0);
	assert_string_equal(get(out, "one"), "a");
	assert_string_equal(get(out, "three"), "c");
	assert_int_equal(entries(d), 1);
	assert_int_equal(entries(out), 3);

	/* a file the command does not write: refused, before and at the swap */
	put(out, "mine", "user's");
	assert_int_equal(out_check_dir(out, names, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "holds mine"));
	assert_int_equal(out_write_dir(out, names, w, first, &e), -1);
	assert_string_equal(get(out, "mine"), "user's");
	assert_int_equal(entries(d), 1);
	rm_rf(d);
}

/* A child that holds a temporary directory, a staged output and a
 * grandchild (sleep) gets sig: all three are gone, and it died of sig. */
static void interrupt(int sig)
{
	char d[64], tmp[128], outdir[128], pidfile[160];
	scratch(d);
	snprintf(tmp, sizeof tmp, "%s/tmp", d);
	snprintf(outdir, sizeof outdir, "%s/out", d);
	snprintf(pidfile, sizeof pidfile, "%s/pid", outdir);
	assert_int_equal(mkdir(tmp, 0777), 0);
	assert_int_equal(mkdir(outdir, 0777), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const char *const files[] = {"stream.bin", "counters.json", NULL};
		char dir[256], path[300], cmd[600];
		Err e;
		cleanup_install();
		setenv("TMPDIR", tmp, 1);
		if (cleanup_tempdir("serenity-rtl-", files, dir, sizeof dir, &e) < 0)
			_exit(3);
		snprintf(path, sizeof path, "%s/stream.bin", dir);
		if (out_write(path, write_text, "words", &e))
			_exit(4);
		OutSet s = {0};
		snprintf(path, sizeof path, "%s/x.csv", outdir);
		if (out_stage(&s, path, write_text, "staged", &e))
			_exit(5);
		snprintf(cmd, sizeof cmd, "echo $$ >%s.new && mv %s.new %s && exec sleep 30", pidfile,
			 pidfile, pidfile);
		char *argv[] = {"/bin/sh", "-c", cmd, NULL};
		cleanup_spawn(argv, false, &e);
		_exit(6); /* not reached: the signal ends this process */
	}
	FILE *f = NULL;
	for (int i = 0; i < 1000 && !(f = fopen(pidfile, "r")); i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	assert_non_null(f);
	int sleeper = 0;
	assert_int_equal(fscanf(f, "%d", &sleeper), 1);
	fclose(f);
	assert_int_equal(entries(tmp), 1);       /* serenity-rtl-XXXXXX */
	assert_int_equal(entries(outdir), 2);    /* pid, the staged temporary */
	assert_int_equal(kill(pid, sig), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
	assert_int_equal(entries(tmp), 0);
	assert_int_equal(entries(outdir), 1);
	assert_int_equal(kill(sleeper, 0), -1); /* stopped and reaped */
	assert_int_equal(errno, ESRCH);
	rm_rf(d);
}

static void test_signals_clean_up(void **state)
{
	(void)state;
	interrupt(SIGINT);
	interrupt(SIGTERM);
	interrupt(SIGHUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_link_not_followed),
		cmocka_unit_test(test_write_through_link_and_failure),
		cmocka_unit_test(test_set_all_or_nothing),
		cmocka_unit_test(test_check_refuses_inputs),
		cmocka_unit_test(test_dir_replaced_whole),
		cmocka_unit_test(test_signals_clean_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
