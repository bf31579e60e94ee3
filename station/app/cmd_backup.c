/* cmd_backup.c - `station backup [--db PATH] OUT.db`: a consistent copy of
 * the session store, made with SQLite's online backup API (a running
 * station keeps recording meanwhile). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "commands.h"
#include "datadir.h"
#include "gc_error.h"
#include "store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: station backup [--db PATH] OUT.db\n\n"
            "Copy the session store (--db PATH, default $XDG_DATA_HOME/gaitcue/gaitcue.db)\n"
            "into OUT.db: every patient and session, consistent even while a station is\n"
            "recording.  OUT.db is written whole or not at all, readable by the owner only.\n"
            "OUT.db must not be the store itself, one of its -wal/-shm files, another\n"
            "database or a recording.  Keep backups in $XDG_DATA_HOME/gaitcue/backups/\n"
            "(the corrupt-database message points there) and a copy off the machine.\n"
            "To restore: with no station running, move the damaged store and its -wal/-shm\n"
            "files aside and copy OUT.db to the store's path.\n");
}

int cmd_backup(int argc, char **argv)
{
    const char *db = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            db = argv[++i];
        } else if (!strncmp(a, "--db=", 5)) {
            db = a + 5;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr,
                    "station backup: unknown option or missing value '%s'; see 'station backup "
                    "--help'.\n",
                    a);
            return 2;
        } else if (!out) {
            out = a;
        } else {
            fprintf(stderr, "station backup: one OUT.db only ('%s' is extra).\n", a);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "station backup: give the file to write, e.g. station backup "
                        "~/.local/share/gaitcue/backups/gaitcue-DATE.db.\n");
        return 2;
    }
    struct gc_diag d;
    char def[PATH_MAX];
    const char *src = db;
    if (!src && store_default_path(def, sizeof def) == GC_OK)
        src = def;
    /* refuse before the store is opened (opening may create it) */
    struct datadir_guard g = {.store = db};
    if (datadir_check_output(out, &g, &d) != GC_OK) {
        fprintf(stderr, "station backup: %s\n", d.msg);
        return 1;
    }
    /* a backup never replaces a file: a mistyped name would lose it (the
     * attacker trial's text.txt), and an older backup is worth keeping */
    if (access(out, F_OK) == 0) {
        fprintf(stderr, "station backup: %s exists; a backup is never written over a file: give "
                        "a new name.\n",
                out);
        return 1;
    }
    /* the data folder's backups/ is ours to make (0700); any other folder
     * must exist (a mistyped path is refused, not created) */
    char backups[PATH_MAX];
    if (datadir_path(DATADIR_BACKUPS_NAME, backups, sizeof backups) == GC_OK &&
        !strncmp(out, backups, strlen(backups)) && out[strlen(backups)] == '/' &&
        datadir_private_dir(backups) != GC_OK) {
        fprintf(stderr, "station backup: cannot create %s; check that the data folder is "
                        "writable.\n",
                backups);
        return 1;
    }
    struct stat sb;
    if (!src || stat(src, &sb) != 0) {
        fprintf(stderr,
                "station backup: there is no database at %s yet; give the store with --db PATH.\n",
                src ? src : "the default path (HOME is not set)");
        return 1;
    }
    struct store *st;
    if (store_open(db, &st) != GC_OK)
        return 1;
    /* a copy of a damaged database is damaged too: store_check says so
     * (and where the earlier backups are) */
    if (store_check(st) != GC_OK) {
        store_close(st);
        return 1;
    }
    int rc = store_backup(st, out, &d);
    store_close(st);
    if (rc) {
        fprintf(stderr, "station backup: %s\n", d.msg);
        return 1;
    }
    printf("backup of %s: %s\n", src, out);
    return 0;
}
