/*
 * test_private_modes.c - calibration files and raw recordings follow the
 * data folder's policy (datadir.h) under the most permissive umask (000):
 * every file 0600, every folder the station creates 0700, a history folder
 * of ours found looser is tightened.  With open(..., 0644) / mkdir(..., 0755)
 * or without the fchmod/chmod after creation these modes would be 0644 /
 * 0755 (or 0666 / 0777 under umask 000), so every CHECK below can fail.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calfile.h"
#include "calstore.h"
#include "check.h"
#include "datadir.h"
#include "gc_error.h"
#include "recording.h"

static char g_base[PATH_MAX / 4];

static unsigned mode_of(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (unsigned)(sb.st_mode & 07777) : 0xffffu;
}

static void check_mode(const char *path, unsigned want)
{
    char msg[PATH_MAX + 64];
    unsigned got = mode_of(path);
    snprintf(msg, sizeof msg, "%s is %04o, want %04o", path, got, want);
    CHECK_MSG(got == want, msg);
}

static void sample_cal(struct calfile *cf)
{
    calfile_init(cf);
    snprintf(cf->deck.serial, sizeof cf->deck.serial, "GCSIM-0042");
    snprintf(cf->created, sizeof cf->created, "2024-05-02T10:31:07Z");
    snprintf(cf->operator_name, sizeof cf->operator_name, "test");
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        cf->deck.cell[i].n_per_count = 2.5e-4;
        cf->deck.cell[i].x_m = (i & 1) ? 0.3 : -0.3; /* the deck's corners */
        cf->deck.cell[i].y_m = (i & 2) ? -0.7 : 0.7;
    }
}

static void test_calibration(void)
{
    char hist[PATH_MAX], root[PATH_MAX], sdir[PATH_MAX + 32], path[CALFILE_PATH_LEN];
    struct gc_diag diag;
    struct calfile cf;
    sample_cal(&cf);

    /* The history in a data folder that does not exist yet: every level
     * created 0700. */
    CHECK_EQ(datadir_root(root, sizeof root), GC_OK);
    CHECK_EQ(calstore_dir(hist, sizeof hist, &diag), GC_OK);
    CHECK_MSG(calfile_save_new(hist, &cf, path, sizeof path, &diag) == GC_OK, diag.msg);
    snprintf(sdir, sizeof sdir, "%s/GCSIM-0042", hist);
    CHECK(strncmp(path, sdir, strlen(sdir)) == 0);
    check_mode(path, 0600);
    check_mode(sdir, 0700);
    check_mode(hist, 0700);
    check_mode(root, 0700);

    /* A loose history folder of ours (an older build made it 0755) is
     * tightened by the next save; the new file is 0600 again. */
    CHECK_EQ(chmod(hist, 0755), 0);
    CHECK_EQ(chmod(sdir, 0755), 0);
    snprintf(cf.created, sizeof cf.created, "2024-06-01T08:00:00Z");
    CHECK_MSG(calfile_save_new(hist, &cf, path, sizeof path, &diag) == GC_OK, diag.msg);
    check_mode(path, 0600);
    check_mode(sdir, 0700);
    check_mode(hist, 0700);

    /* calib --out FILE in the user's own folder: the file is 0600, the
     * folder is the user's and is left alone. */
    char out_dir[PATH_MAX], out[PATH_MAX + 16];
    snprintf(out_dir, sizeof out_dir, "%s/mine", g_base);
    CHECK_EQ(mkdir(out_dir, 0755), 0);
    snprintf(out, sizeof out, "%s/cal.ini", out_dir);
    CHECK_MSG(calfile_write_new(&cf, out, &diag) == GC_OK, diag.msg);
    check_mode(out, 0600);
    check_mode(out_dir, 0755);

    /* And what was written reads back. */
    struct calfile back;
    CHECK_MSG(calfile_load(out, "GCSIM-0042", 0, &back, &diag) == GC_OK, diag.msg);
    CHECK(strcmp(back.created, "2024-06-01T08:00:00Z") == 0);
}

static void test_recording(void)
{
    char rdir[PATH_MAX], path[PATH_MAX + 64], sub[PATH_MAX + 8];
    CHECK_EQ(datadir_path(DATADIR_RECORDINGS_NAME, rdir, sizeof rdir), GC_OK);
    /* Two missing levels below the recordings folder. */
    snprintf(sub, sizeof sub, "%s/2024", rdir);
    snprintf(path, sizeof path, "%s/05/session-20240502-103107.gcrec", sub);
    struct rec_writer *w = NULL;
    CHECK_EQ(rec_writer_open(path, &w), GC_OK);
    CHECK(w != NULL);
    if (w)
        CHECK_EQ(rec_writer_close(w), GC_OK);
    check_mode(path, 0600);
    char leaf[PATH_MAX + 16];
    snprintf(leaf, sizeof leaf, "%s/05", sub);
    check_mode(leaf, 0700);
    check_mode(sub, 0700);
    check_mode(rdir, 0700);
    /* A recording is never overwritten. */
    CHECK_EQ(rec_writer_open(path, &w), GC_ERR_BUSY);
}

int main(void)
{
    umask(0);
    snprintf(g_base, sizeof g_base, "/tmp/gc-modes-XXXXXX");
    if (!mkdtemp(g_base)) {
        perror("mkdtemp");
        return 1;
    }
    /* A data folder below a folder that does not exist yet. */
    char xdg[PATH_MAX];
    snprintf(xdg, sizeof xdg, "%s/xdg", g_base);
    setenv("XDG_DATA_HOME", xdg, 1);
    test_calibration();
    test_recording();
    /* Failures name the paths and modes; the folder is not needed after. */
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_base);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_base);
    return check_exit();
}
