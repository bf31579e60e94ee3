/* calstore.c - calibration files on disk and their history (calstore.h). */
#include "calstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"
#include "gc_error.h"

int calstore_dir(char *buf, size_t cap, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    int rc = datadir_path(CALSTORE_DIR_NAME, buf, cap);
    if (rc == GC_ERR_NOT_FOUND)
        return gc_fail(diag, rc,
                       "there is no data folder for the calibration history: neither an absolute "
                       "XDG_DATA_HOME nor HOME is set");
    if (rc != GC_OK)
        return gc_fail(diag, rc, "the calibration history folder's path is too long (%s)",
                       gc_strerror(rc));
    return GC_OK;
}

int calfile_load(const char *path, const char *expected_serial, unsigned flags,
                 struct calfile *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!path || !out)
        return gc_fail(diag, GC_ERR_ARG, "no calibration file given");
    calfile_init(out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return gc_fail(diag, e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO,
                       "cannot open calibration file %s (%s): check the path", path, strerror(e));
    }
    /* One byte more than the parser accepts, so it can tell "too large". */
    char *text = malloc(CALFILE_MAX_BYTES + 1);
    if (!text) {
        fclose(f);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading calibration file %s", path);
    }
    size_t n = fread(text, 1, CALFILE_MAX_BYTES + 1, f);
    int err = ferror(f);
    fclose(f);
    int rc;
    if (err)
        rc = gc_fail(diag, GC_ERR_IO, "cannot read calibration file %s: check the disk", path);
    else
        rc = calfile_parse_buffer(text, n, path, expected_serial, flags, out, diag);
    free(text);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int calfile_write_new(const struct calfile *cf, const char *path, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!cf || !path)
        return gc_fail(diag, GC_ERR_ARG, "no calibration or no file name to write");
    char *text = malloc(CALFILE_MAX_BYTES);
    if (!text)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory writing %s", path);
    int len = calfile_format(cf, text, CALFILE_MAX_BYTES);
    if (len < 0) {
        free(text);
        return gc_fail(diag, GC_ERR_ARG,
                       "the calibration is too large to write (more than %d bytes)",
                       CALFILE_MAX_BYTES);
    }
    char tmp[CALFILE_PATH_LEN + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int rc = GC_OK;
    /* open() masks the mode with the umask; fchmod sets it exactly (the
     * data folder's policy: 0600 whatever the umask). */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, DATADIR_FILE_MODE);
    if (fd < 0) {
        rc = gc_fail(diag, GC_ERR_IO,
                     "cannot create %s (%s): check that the directory exists and is writable",
                     tmp, strerror(errno));
        free(text);
        return rc;
    }
    if (fchmod(fd, DATADIR_FILE_MODE) != 0)
        rc = gc_fail(diag, GC_ERR_IO, "cannot make %s owner-only (%s)", tmp, strerror(errno));
    if (rc == GC_OK && write_all(fd, text, (size_t)len) != 0)
        rc = gc_fail(diag, GC_ERR_IO,
                     "cannot write %s (%s): free some disk space and run calib again", tmp,
                     strerror(errno));
    if (rc == GC_OK && fsync(fd) != 0)
        rc = gc_fail(diag, GC_ERR_IO,
                     "cannot write %s (%s): free some disk space and run calib again", tmp,
                     strerror(errno));
    close(fd);
    free(text);
    /* link() fails with EEXIST instead of replacing: the history is never
     * overwritten, and the final name only ever holds a whole file. */
    if (rc == GC_OK && link(tmp, path) != 0) {
        int e = errno;
        if (e == EEXIST)
            rc = gc_fail(diag, GC_ERR_IO,
                         "%s already exists and calibration files are never overwritten: "
                         "choose another --out name",
                         path);
        else
            rc = gc_fail(diag, GC_ERR_IO,
                         "cannot create %s (%s): check that the directory is writable", path,
                         strerror(e));
    }
    unlink(tmp);
    return rc;
}

int calfile_save_new(const char *dir, const struct calfile *cf, char *path_out, size_t path_cap,
                     struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!dir || !dir[0] || !cf)
        return gc_fail(diag, GC_ERR_ARG, "no calibration or no history folder to save into");
    if (!calfile_serial_is_safe(cf->deck.serial))
        return gc_fail(diag, GC_ERR_ARG, "the sensor serial \"%s\" cannot name a directory",
                       cf->deck.serial);
    char sdir[CALFILE_PATH_LEN];
    int k = snprintf(sdir, sizeof sdir, "%s/%s", dir, cf->deck.serial);
    if (k < 0 || (size_t)k >= sizeof sdir)
        return gc_fail(diag, GC_ERR_ARG, "the calibration folder %s is too long a path", dir);
    /* The history is ours: both levels 0700, tightened if found looser. */
    int rc = datadir_private_dir(dir);
    if (rc == GC_OK)
        rc = datadir_private_dir(sdir);
    if (rc != GC_OK)
        return gc_fail(diag, rc == GC_ERR_PERM ? GC_ERR_PERM : GC_ERR_IO,
                       "cannot create the calibration directory %s (%s)", sdir, strerror(errno));
    /* cal-20240502T103107Z.ini from created = 2024-05-02T10:31:07Z. */
    char stamp[32];
    size_t n = 0;
    for (const char *p = cf->created; *p && n + 1 < sizeof stamp; p++)
        if (*p != '-' && *p != ':')
            stamp[n++] = *p;
    stamp[n] = '\0';
    char path[CALFILE_PATH_LEN + 64];
    for (int attempt = 1; attempt < 100; attempt++) {
        if (attempt == 1)
            snprintf(path, sizeof path, "%s/cal-%s.ini", sdir, stamp);
        else
            snprintf(path, sizeof path, "%s/cal-%s-%02d.ini", sdir, stamp, attempt);
        rc = calfile_write_new(cf, path, diag);
        if (rc == GC_OK) {
            if (path_out && path_cap)
                snprintf(path_out, path_cap, "%s", path);
            return GC_OK;
        }
        if (access(path, F_OK) != 0)
            return rc; /* a real failure, not a name clash */
    }
    return gc_fail(diag, GC_ERR_IO, "too many calibrations in the same second in %s", sdir);
}

int calfile_find_newest(const char *dir, const char *serial, char *path_out, size_t path_cap,
                        struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!dir || !path_out)
        return gc_fail(diag, GC_ERR_ARG, "no history folder or no room for the path");
    if (!calfile_serial_is_safe(serial))
        return gc_fail(diag, GC_ERR_ARG, "the sensor serial \"%s\" cannot name a directory",
                       serial ? serial : "");
    char sdir[CALFILE_PATH_LEN];
    int k = snprintf(sdir, sizeof sdir, "%s/%s", dir, serial);
    if (k < 0 || (size_t)k >= sizeof sdir)
        return gc_fail(diag, GC_ERR_ARG, "the calibration folder %s is too long a path", dir);
    DIR *d = opendir(sdir);
    if (!d)
        return gc_fail(diag, GC_ERR_NOT_FOUND, "there is no calibration of sensor %s in %s",
                       serial, dir);
    char best[256] = "";
    struct dirent *e;
    /* Names are cal-<UTC stamp>[-NN].ini: byte order is time order, and the
     * "-NN" suffix of a same-second file sorts after the plain name. */
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 9 || n >= sizeof best || strncmp(e->d_name, "cal-", 4) != 0 ||
            strcmp(e->d_name + n - 4, ".ini") != 0)
            continue;
        if (strcmp(e->d_name, best) > 0)
            memcpy(best, e->d_name, n + 1);
    }
    closedir(d);
    if (!best[0])
        return gc_fail(diag, GC_ERR_NOT_FOUND, "there is no calibration of sensor %s in %s",
                       serial, dir);
    int n = snprintf(path_out, path_cap, "%s/%s", sdir, best);
    if (n < 0 || (size_t)n >= path_cap)
        return gc_fail(diag, GC_ERR_ARG, "the path of %s/%s is too long", sdir, best);
    return GC_OK;
}
