/* test_datadir.c - the data-folder policy (datadir.h) and user text limits
 * (usertext.h): paths, modes under a permissive umask, the output guard,
 * atomic and streamed outputs. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "datadir.h"
#include "gc_error.h"
#include "store.h"
#include "usertext.h"

static char base[PATH_MAX / 2];

static mode_t mode_of(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (sb.st_mode & 07777) : (mode_t)-1;
}

static void put(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static long size_of(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void test_paths(void)
{
    char p[PATH_MAX], want[PATH_MAX];
    setenv("XDG_DATA_HOME", base, 1);
    CHECK_EQ(datadir_root(p, sizeof p), GC_OK);
    snprintf(want, sizeof want, "%s/gaitcue", base);
    CHECK(!strcmp(p, want));
    CHECK_EQ(store_default_path(p, sizeof p), GC_OK);
    snprintf(want, sizeof want, "%s/gaitcue/gaitcue.db", base);
    CHECK(!strcmp(p, want));
    /* a relative XDG_DATA_HOME is ignored (XDG spec): HOME is used */
    setenv("XDG_DATA_HOME", "relative/dir", 1);
    setenv("HOME", "/home/x", 1);
    CHECK_EQ(datadir_root(p, sizeof p), GC_OK);
    CHECK(!strcmp(p, "/home/x/.local/share/gaitcue"));
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    CHECK_EQ(datadir_root(p, sizeof p), GC_ERR_NOT_FOUND);
    CHECK_EQ(datadir_root(p, 4), GC_ERR_NOT_FOUND);
    setenv("XDG_DATA_HOME", base, 1);
    CHECK_EQ(datadir_root(p, 4), GC_ERR_ARG);
}

static void test_modes(void)
{
    /* umask 000: without the policy mkdir would give 0777 and files 0666 */
    umask(0);
    char d[PATH_MAX + 32], f[PATH_MAX + 64];
    snprintf(d, sizeof d, "%s/a/b/c", base);
    CHECK_EQ(datadir_mkdirs(d), GC_OK);
    CHECK_EQ(mode_of(d), 0700);
    snprintf(f, sizeof f, "%s/a", base);
    CHECK_EQ(mode_of(f), 0700);
    /* an existing user folder is not touched by mkdirs... */
    snprintf(d, sizeof d, "%s/open", base);
    mkdir(d, 0755);
    CHECK_EQ(datadir_mkdirs(d), GC_OK);
    CHECK_EQ(mode_of(d), 0755);
    /* ...but a folder of the data folder is tightened */
    CHECK_EQ(datadir_private_dir(d), GC_OK);
    CHECK_EQ(mode_of(d), 0700);

    /* a read-only -shm of ours is made 0600 again; a loose file tightened */
    snprintf(f, sizeof f, "%s/x.db-shm", base);
    put(f, "x", 1);
    chmod(f, 0400);
    CHECK_EQ(datadir_private_file(f, NULL), GC_OK);
    CHECK_EQ(mode_of(f), 0600);
    chmod(f, 0666);
    CHECK_EQ(datadir_private_file(f, NULL), GC_OK);
    CHECK_EQ(mode_of(f), 0600);

    /* an output into a folder that does not exist is refused (a typo is
     * not created); in an existing folder it is 0600 whatever the umask */
    snprintf(f, sizeof f, "%s/out/sub/r.csv", base);
    struct gc_diag wd;
    CHECK_EQ(datadir_write_file(f, "a,b\n", 4, NULL, &wd), GC_ERR_NOT_FOUND);
    CHECK(strstr(wd.msg, "does not exist") != NULL);
    snprintf(d, sizeof d, "%s/out/sub", base);
    CHECK_EQ(mode_of(d), (mode_t)-1);
    CHECK_EQ(datadir_private_dir(d), GC_OK);
    CHECK_EQ(datadir_write_file(f, "a,b\n", 4, NULL, &wd), GC_OK);
    CHECK_EQ(mode_of(f), 0600);
    CHECK_EQ(mode_of(d), 0700);
    CHECK_EQ(size_of(f), 4);
    umask(022);
}

static void test_guard(void)
{
    struct gc_diag d;
    const char *msg = d.msg;
    char db[PATH_MAX + 32], rec[PATH_MAX + 32], csv[PATH_MAX + 32], p[PATH_MAX + 64];
    snprintf(db, sizeof db, "%s/g.db", base);
    snprintf(rec, sizeof rec, "%s/r.gcrec", base);
    snprintf(csv, sizeof csv, "%s/in.csv", base);
    /* an SQLite header, a recording header, a plain CSV */
    unsigned char sq[100] = "SQLite format 3";
    put(db, sq, sizeof sq);
    const unsigned char rh[16] = {'G', 'C', 'R', 'E', 'C', '\r', '\n', 0x1a, 1, 0};
    put(rec, rh, sizeof rh);
    put(csv, "t_s,fz_n\n", 9);

    struct datadir_guard g = {.store = db, .inputs = {csv}};
    CHECK_EQ(datadir_check_output(db, &g, &d), GC_ERR_ARG);
    CHECK(strstr(msg, "session store") != NULL);
    /* side files, existing or not */
    snprintf(p, sizeof p, "%s-wal", db);
    CHECK_EQ(datadir_check_output(p, &g, &d), GC_ERR_ARG);
    snprintf(p, sizeof p, "%s-journal", db);
    CHECK_EQ(datadir_check_output(p, &g, &d), GC_ERR_ARG);
    /* any database, even when it is not the store in use */
    CHECK_EQ(datadir_check_output(db, NULL, &d), GC_ERR_ARG);
    snprintf(p, sizeof p, "%s-shm", db);
    put(p, "", 0);
    CHECK_EQ(datadir_check_output(p, NULL, &d), GC_ERR_ARG);
    /* a recording by its contents, whatever its name */
    CHECK_EQ(datadir_check_output(rec, NULL, &d), GC_ERR_ARG);
    CHECK(strstr(msg, "recording") != NULL);
    /* the input, under another spelling (./, a symlink) */
    CHECK_EQ(datadir_check_output(csv, &g, &d), GC_ERR_ARG);
    snprintf(p, sizeof p, "%s/./in.csv", base);
    CHECK_EQ(datadir_check_output(p, &g, &d), GC_ERR_ARG);
    snprintf(p, sizeof p, "%s/link.csv", base);
    CHECK(symlink(csv, p) == 0);
    CHECK_EQ(datadir_check_output(p, &g, &d), GC_ERR_ARG);
    /* two outputs that do not exist yet, same path after realpath */
    char o1[PATH_MAX + 32], o2[PATH_MAX + 32];
    snprintf(o1, sizeof o1, "%s/new.csv", base);
    snprintf(o2, sizeof o2, "%s/a/../new.csv", base);
    struct datadir_guard g2 = {.inputs = {o1}};
    CHECK_EQ(datadir_check_output(o2, &g2, &d), GC_ERR_ARG);
    /* a folder */
    CHECK_EQ(datadir_check_output(base, NULL, &d), GC_ERR_ARG);
    /* fine: a new name, and an old plain output */
    snprintf(p, sizeof p, "%s/fine.csv", base);
    CHECK_EQ(datadir_check_output(p, &g, &d), GC_OK);
    put(p, "old\n", 4);
    CHECK_EQ(datadir_check_output(p, &g, &d), GC_OK);
    /* refused writes leave the files byte for byte */
    CHECK_EQ(datadir_write_file(db, "x", 1, &g, &d), GC_ERR_ARG);
    CHECK_EQ(size_of(db), 100);
    CHECK_EQ(datadir_write_file(rec, "x", 1, NULL, &d), GC_ERR_ARG);
    CHECK_EQ(size_of(rec), 16);
}

static void test_atomic(void)
{
    char p[PATH_MAX + 32];
    struct gc_diag d;
    const char *msg = d.msg;
    snprintf(p, sizeof p, "%s/atomic.txt", base);
    put(p, "old contents\n", 13);
    struct datadir_out *o;
    CHECK_EQ(datadir_out_open(p, DATADIR_OUT_TEMP, NULL, &o, &d), GC_OK);
    fputs("new", datadir_out_file(o));
    /* until commit the target is the old file */
    CHECK_EQ(size_of(p), 13);
    char tmp[PATH_MAX + 256];
    snprintf(tmp, sizeof tmp, "%s", datadir_out_temp_path(o));
    CHECK(access(tmp, F_OK) == 0);
    datadir_out_abort(o);
    CHECK(access(tmp, F_OK) != 0);
    CHECK_EQ(size_of(p), 13);
    CHECK_EQ(datadir_out_open(p, DATADIR_OUT_TEMP, NULL, &o, &d), GC_OK);
    fputs("new", datadir_out_file(o));
    CHECK_EQ(datadir_out_commit(o, &d), GC_OK);
    CHECK_EQ(size_of(p), 3);

    /* streamed: NAME.partial holds what was synced, NAME only when done */
    char s[PATH_MAX + 32], part[PATH_MAX + 48];
    snprintf(s, sizeof s, "%s/steps.csv", base);
    snprintf(part, sizeof part, "%s.partial", s);
    CHECK_EQ(datadir_out_open(s, DATADIR_OUT_PARTIAL, NULL, &o, &d), GC_OK);
    fputs("index\n1\n", datadir_out_file(o));
    CHECK_EQ(datadir_out_sync(o), GC_OK);
    CHECK_EQ(size_of(part), 8);
    CHECK_EQ(size_of(s), -1);
    /* a second writer is refused while the .partial exists */
    struct datadir_out *o2;
    CHECK_EQ(datadir_out_open(s, DATADIR_OUT_PARTIAL, NULL, &o2, &d), GC_ERR_BUSY);
    CHECK(strstr(msg, ".partial exists") != NULL);
    CHECK_EQ(datadir_out_commit(o, &d), GC_OK);
    CHECK_EQ(size_of(s), 8);
    CHECK(access(part, F_OK) != 0);
}

static void test_text(void)
{
    CHECK(usertext_ok("Anna M\xc3\xbcller", USERTEXT_NAME_MAX));
    CHECK(!usertext_ok("evil\033]0;pwned\007", USERTEXT_NAME_MAX));
    CHECK(!usertext_ok("two\nlines", USERTEXT_NAME_MAX));
    CHECK(!usertext_ok("c1 \xc2\x9b" "31m", USERTEXT_NAME_MAX));
    char big[USERTEXT_NAME_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(!usertext_ok(big, USERTEXT_NAME_MAX));
    big[USERTEXT_NAME_MAX] = '\0';
    CHECK(usertext_ok(big, USERTEXT_NAME_MAX));
    char s[] = "a\033[2Jb\tc\x7f\xc2\x9b" "d";
    usertext_clean(s);
    CHECK(!strcmp(s, "a?[2Jb c???d"));

    /* text that is not UTF-8 is refused on input (the attacker trial: one
     * byte 0xff in a note made every report of the session fail) */
    CHECK(!usertext_ok("bad \xff\xfe utf8", USERTEXT_NOTE_MAX));
    CHECK(!usertext_ok("overlong \xc0\xaf", USERTEXT_NOTE_MAX));
    CHECK(!usertext_ok("surrogate \xed\xa0\x80", USERTEXT_NOTE_MAX));
    CHECK(!usertext_ok("beyond \xf4\x90\x80\x80", USERTEXT_NOTE_MAX));
    CHECK(!usertext_ok("cut \xe2\x82", USERTEXT_NOTE_MAX));
    CHECK(usertext_ok("runner \xf0\x9f\x8f\x83 \xe2\x82\xac 5 \xc3\x9c", USERTEXT_NOTE_MAX));
    CHECK_EQ(usertext_utf8_len("\xe2\x82\xac"), 3);
    CHECK_EQ(usertext_utf8_len("\x80"), 0);
    /* ... and cleaned on output: a stray byte becomes '?', a character cut
     * at the end of a field is dropped */
    char bad[] = "x\xff y \xc3\x28 \xc3\xbc";
    CHECK(!strcmp(usertext_clean(bad), "x? y ?( \xc3\xbc"));
    char cut[] = "caf\xc3\xa9 \xe2\x82";
    CHECK(!strcmp(usertext_clean(cut), "caf\xc3\xa9 "));
    /* cutting never splits a character */
    char euro[] = "ab\xe2\x82\xac";
    CHECK(!strcmp(usertext_cut(euro, 4), "ab"));
    char same[] = "ab\xe2\x82\xac";
    CHECK(!strcmp(usertext_cut(same, 5), "ab\xe2\x82\xac"));
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/gc-datadir-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    CHECK(mkdtemp(base) != NULL);
    test_paths();
    test_modes();
    test_guard();
    test_atomic();
    test_text();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", base);
    return check_exit();
}
