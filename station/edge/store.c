/* store.c - the session store on SQLite. */
#define LOG_PREFIX "store"
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "datadir.h"
#include "gc_error.h"
#include "log.h"
#include "usertext.h"

/* PRAGMA application_id of a gaitcue database: "gcue" in ASCII. */
#define STORE_APP_ID 0x67637565
/* How long a writer waits for another connection's write lock, ms.  The
 * recorder commits small batches, so a report reader never waits long. */
#define STORE_BUSY_MS 5000

struct store {
    sqlite3 *db;
    sqlite3_stmt *ins_step; /* hot path: kept prepared */
    char path[PATH_MAX];
    int last_logged_rc; /* the same failure again (a retried commit) is not logged again */
};

/* ---- schema and migrations ----------------------------------------- */

/* migrations[i] takes the schema from version i to i + 1.  Never edit a
 * shipped migration: add a new one. */
static const char *const migrations[] = {
    /* 0 -> 1: the first schema */
    "CREATE TABLE patients ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  birth_year INTEGER,"
    "  created_utc INTEGER NOT NULL);"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  start_utc INTEGER NOT NULL,"
    "  end_utc INTEGER,"
    "  updated_utc INTEGER,"
    "  status TEXT NOT NULL CHECK (status IN ('running','complete','interrupted')),"
    "  protocol_name TEXT NOT NULL DEFAULT '',"
    "  protocol_text TEXT NOT NULL DEFAULT '',"
    "  therapist TEXT NOT NULL DEFAULT '',"
    "  sensor_serial TEXT NOT NULL DEFAULT '',"
    "  sensor_identity TEXT NOT NULL DEFAULT '',"
    "  calib_name TEXT NOT NULL DEFAULT '',"
    "  calib_date TEXT NOT NULL DEFAULT '',"
    "  body_weight_n REAL,"
    "  sw_version TEXT NOT NULL DEFAULT '',"
    "  raw_path TEXT NOT NULL DEFAULT '',"
    "  raw_sha256 TEXT NOT NULL DEFAULT '',"
    "  t0_sensor_s REAL NOT NULL DEFAULT 0,"
    "  time_scale REAL NOT NULL DEFAULT 1,"
    "  method TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX sessions_patient ON sessions(patient_id, start_utc);"
    "CREATE TABLE phases ("
    "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
    "  idx INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  planned_start_s REAL NOT NULL,"
    "  planned_s REAL NOT NULL,"
    "  start_s REAL,"
    "  feedback TEXT NOT NULL DEFAULT 'none',"
    "  feedback_share REAL,"
    "  cadence_spm REAL, cadence_lo_spm REAL, cadence_hi_spm REAL,"
    "  valr_ceiling_bw_s REAL,"
    "  PRIMARY KEY (session_id, idx));"
    "CREATE TABLE steps ("
    "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
    "  idx INTEGER NOT NULL,"
    "  side TEXT,"
    "  t_ic_s REAL, t_to_s REAL, contact_ms REAL, flight_ms REAL, step_ms REAL,"
    "  cadence_spm REAL, impact_peak_n REAL, impact_peak_bw REAL, t_impact_s REAL,"
    "  valr_bw_s REAL, vilr_bw_s REAL, active_peak_n REAL, active_peak_bw REAL,"
    "  flags INTEGER NOT NULL DEFAULT 0,"
    "  phase INTEGER NOT NULL DEFAULT -1,"
    "  in_band INTEGER NOT NULL DEFAULT -1,"
    "  under_ceiling INTEGER NOT NULL DEFAULT -1,"
    "  PRIMARY KEY (session_id, idx));"
    "CREATE TABLE target_changes ("
    "  id INTEGER PRIMARY KEY,"
    "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
    "  t_s REAL NOT NULL,"
    "  source TEXT NOT NULL CHECK (source IN ('protocol','therapist')),"
    "  feedback TEXT NOT NULL DEFAULT 'none',"
    "  feedback_share REAL,"
    "  cadence_spm REAL, cadence_lo_spm REAL, cadence_hi_spm REAL,"
    "  valr_ceiling_bw_s REAL,"
    "  note TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX target_changes_session ON target_changes(session_id, t_s);"
    "CREATE TABLE markers ("
    "  id INTEGER PRIMARY KEY,"
    "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
    "  t_s REAL NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('pain','symptom','note')),"
    "  pain INTEGER CHECK (pain IS NULL OR pain BETWEEN 0 AND 10),"
    "  text TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX markers_session ON markers(session_id, t_s);",

    /* 1 -> 2: per-minute summaries; which process writes a running session
     * (so recovery never marks a live session of another process). */
    "CREATE TABLE minutes ("
    "  session_id INTEGER NOT NULL REFERENCES sessions(id),"
    "  minute INTEGER NOT NULL,"
    "  n_steps INTEGER NOT NULL,"
    "  cadence_spm REAL, contact_ms REAL, impact_peak_bw REAL,"
    "  valr_bw_s REAL, vilr_bw_s REAL,"
    "  share_in_band REAL, share_under_ceiling REAL,"
    "  si_contact_pct REAL, si_valr_pct REAL,"
    "  PRIMARY KEY (session_id, minute));"
    "ALTER TABLE sessions ADD COLUMN writer_pid INTEGER;"
    "ALTER TABLE sessions ADD COLUMN writer_host TEXT NOT NULL DEFAULT '';",

    /* 2 -> 3: a session stopped by the PT before its plan ended is
     * 'stopped' (with the session time of the stop), not 'complete'; a
     * session can be excluded from progress with a reason (kept, audited).
     * SQLite cannot change a CHECK in place: the table is rebuilt (the
     * documented procedure; migrate() turns foreign keys off around it). */
    "CREATE TABLE sessions_v3 ("
    "  id INTEGER PRIMARY KEY,"
    "  patient_id INTEGER NOT NULL REFERENCES patients(id),"
    "  start_utc INTEGER NOT NULL,"
    "  end_utc INTEGER,"
    "  updated_utc INTEGER,"
    "  status TEXT NOT NULL CHECK (status IN ('running','complete','interrupted','stopped')),"
    "  protocol_name TEXT NOT NULL DEFAULT '',"
    "  protocol_text TEXT NOT NULL DEFAULT '',"
    "  therapist TEXT NOT NULL DEFAULT '',"
    "  sensor_serial TEXT NOT NULL DEFAULT '',"
    "  sensor_identity TEXT NOT NULL DEFAULT '',"
    "  calib_name TEXT NOT NULL DEFAULT '',"
    "  calib_date TEXT NOT NULL DEFAULT '',"
    "  body_weight_n REAL,"
    "  sw_version TEXT NOT NULL DEFAULT '',"
    "  raw_path TEXT NOT NULL DEFAULT '',"
    "  raw_sha256 TEXT NOT NULL DEFAULT '',"
    "  t0_sensor_s REAL NOT NULL DEFAULT 0,"
    "  time_scale REAL NOT NULL DEFAULT 1,"
    "  method TEXT NOT NULL DEFAULT '',"
    "  writer_pid INTEGER,"
    "  writer_host TEXT NOT NULL DEFAULT '',"
    "  stopped_at_s REAL,"
    "  excluded_utc INTEGER,"
    "  exclude_reason TEXT NOT NULL DEFAULT '');"
    "INSERT INTO sessions_v3 (id, patient_id, start_utc, end_utc, updated_utc, status,"
    " protocol_name, protocol_text, therapist, sensor_serial, sensor_identity, calib_name,"
    " calib_date, body_weight_n, sw_version, raw_path, raw_sha256, t0_sensor_s, time_scale,"
    " method, writer_pid, writer_host)"
    " SELECT id, patient_id, start_utc, end_utc, updated_utc, status, protocol_name,"
    " protocol_text, therapist, sensor_serial, sensor_identity, calib_name, calib_date,"
    " body_weight_n, sw_version, raw_path, raw_sha256, t0_sensor_s, time_scale, method,"
    " writer_pid, writer_host FROM sessions;"
    "DROP TABLE sessions;"
    "ALTER TABLE sessions_v3 RENAME TO sessions;"
    "CREATE INDEX sessions_patient ON sessions(patient_id, start_utc);",
};
_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
               "one migration per schema version");

/* ---- helpers ------------------------------------------------------- */

const char *store_errmsg(struct store *st)
{
    return st && st->db ? sqlite3_errmsg(st->db) : "no database";
}

/* The one sentence for a damaged database: where the backups are and
 * what to do with one. */
static void log_corrupt(const char *path)
{
    char backups[PATH_MAX];
    if (datadir_path(DATADIR_BACKUPS_NAME, backups, sizeof backups) != GC_OK)
        snprintf(backups, sizeof backups, "the folder you gave 'station backup'");
    LOG_ERR("the database %s is damaged; nothing more was written to it. Restore it from your "
            "newest backup (made by 'station backup', kept by convention in %s/): with no "
            "station running, move %s (and its -wal, -shm files) aside and copy the backup to "
            "%s.",
            path, backups, path, path);
}

static int sql_err(struct store *st, int rc, const char *what)
{
    if (rc == SQLITE_CONSTRAINT)
        return GC_ERR_BUSY;
    if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
        LOG_ERR("%s: %s", what, sqlite3_errmsg(st->db));
        log_corrupt(st->path);
        return GC_ERR_FORMAT;
    }
    /* a writer retrying on a full disk fails the same way every 250 ms:
     * say it once, and again only when the failure changes */
    if (rc != st->last_logged_rc)
        LOG_ERR("%s: %s", what, sqlite3_errmsg(st->db));
    st->last_logged_rc = rc;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return GC_ERR_BUSY;
    if (rc == SQLITE_READONLY || rc == SQLITE_PERM || rc == SQLITE_CANTOPEN)
        return GC_ERR_PERM;
    if (rc == SQLITE_NOMEM)
        return GC_ERR_NOMEM;
    return GC_ERR_IO;
}

static int exec(struct store *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (rc != st->last_logged_rc)
            LOG_ERR("%s", msg ? msg : sqlite3_errstr(rc));
        st->last_logged_rc = rc;
        sqlite3_free(msg);
        if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
            log_corrupt(st->path);
            return GC_ERR_FORMAT;
        }
        if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN ||
            (rc & 0xff) == SQLITE_PERM)
            return GC_ERR_PERM;
        return rc == SQLITE_BUSY ? GC_ERR_BUSY : GC_ERR_IO;
    }
    return GC_OK;
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **s)
{
    int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
    if (rc != SQLITE_OK)
        return sql_err(st, rc, "prepare");
    return GC_OK;
}

static void bind_real(sqlite3_stmt *s, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
    sqlite3_bind_text(s, i, t ? t : "", -1, SQLITE_TRANSIENT);
}

static double col_real(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Text people typed (names, notes): whatever an older station stored, no
 * control character leaves the store (terminal escapes, PDF). */
static void col_user_text(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    col_text(s, i, dst, cap);
    usertext_clean(dst);
}

/* Run a statement that returns no rows, then finalize it. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    int ret = rc == SQLITE_DONE ? GC_OK : sql_err(st, rc, what);
    sqlite3_finalize(s);
    return ret;
}

static int user_version(struct store *st, int *v)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "PRAGMA user_version", &s);
    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        rc = sql_err(st, rc, "reading the schema version");
        sqlite3_finalize(s);
        return rc;
    }
    *v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return GC_OK;
}

/* ---- opening ------------------------------------------------------- */

int store_default_path(char *buf, size_t cap)
{
    return datadir_path(DATADIR_STORE_NAME, buf, cap);
}

/* The folder of the database: the data folder itself is made private
 * (0700); a folder the user chose with --db is only created if missing. */
static int make_parent_dirs(const char *path)
{
    char def[PATH_MAX], root[PATH_MAX];
    if (store_default_path(def, sizeof def) == GC_OK && !strcmp(def, path) &&
        datadir_root(root, sizeof root) == GC_OK)
        return datadir_private_dir(root);
    return datadir_mkdirs_for(path);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Look at an existing file's header without SQLite (which might write a
 * journal or -shm file): is it ours, and how new is it? */
static int check_header(const char *path, bool *exists)
{
    *exists = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return GC_OK;
        LOG_ERR("cannot open the database %s: %s; check the path and its permissions.", path,
                strerror(errno));
        return errno == EACCES ? GC_ERR_PERM : GC_ERR_IO;
    }
    *exists = true;
    unsigned char h[100];
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n == 0)
        return GC_OK; /* empty file: SQLite makes it a database */
    if (n < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
        LOG_ERR("%s is not a gaitcue database (not SQLite); give another --db path.", path);
        return GC_ERR_FORMAT;
    }
    uint32_t version = be32(h + 60), app = be32(h + 68);
    if (app != STORE_APP_ID && !(app == 0 && version == 0)) {
        LOG_ERR("%s is an SQLite file of another program, not a gaitcue database; give another "
                "--db path.",
                path);
        return GC_ERR_FORMAT;
    }
    if (version > STORE_SCHEMA_VERSION) {
        LOG_ERR("%s was written by a newer gaitcue (schema %u; this station knows up to %d): "
                "update gaitcue to open it. The database was not changed.",
                path, version, STORE_SCHEMA_VERSION);
        return GC_ERR_VERSION;
    }
    return GC_OK;
}

/* Patient data: the owner only, and writable by the owner.  Fix a file
 * someone loosened, and a side file (-shm, -wal) left read-only by a time
 * the database was read-only: SQLite cannot use a 0400 -shm and every
 * later open fails until it is fixed. */
static int tighten(const char *path)
{
    char msg[PATH_MAX * 2 + 200];
    int rc = datadir_private_file(path, msg, sizeof msg);
    if (rc)
        LOG_ERR("%s", msg);
    return rc;
}

/* The database itself: take away what others may do, but never make a
 * file the owner set read-only writable behind their back. */
static int tighten_main(const char *db)
{
    struct stat sb;
    if (stat(db, &sb) != 0)
        return GC_OK;
    if ((sb.st_mode & 077) && sb.st_uid == getuid()) {
        LOG_WARN("%s was open to other users; making it owner-only.", db);
        if (chmod(db, sb.st_mode & 0700) != 0)
            LOG_WARN("cannot chmod %s: %s", db, strerror(errno));
    }
    if (access(db, R_OK | W_OK) != 0) {
        LOG_ERR("the database %s is not writable (mode %04o); run 'chmod 600 %s' as its owner "
                "while no station runs, or give another --db.",
                db, (unsigned)(sb.st_mode & 07777), db);
        return GC_ERR_PERM;
    }
    return GC_OK;
}

static int tighten_sides(const char *db)
{
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    char p[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        snprintf(p, sizeof p, "%s%s", db, sides[i]);
        int rc = tighten(p);
        if (rc)
            return rc;
    }
    return GC_OK;
}

static int migrate_locked(struct store *st, int max_version);

/* Schema changes that rebuild a table need foreign keys off (they cannot
 * be switched inside a transaction); the check afterwards proves nothing
 * dangles. */
static int migrate(struct store *st, int max_version)
{
    int rc = exec(st, "PRAGMA foreign_keys = OFF;");
    if (rc == GC_OK)
        rc = migrate_locked(st, max_version);
    int rc2 = exec(st, "PRAGMA foreign_keys = ON;");
    return rc != GC_OK ? rc : rc2;
}

static int migrate_locked(struct store *st, int max_version)
{
    int v;
    int rc = exec(st, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = user_version(st, &v);
    if (rc) {
        exec(st, "ROLLBACK");
        return rc;
    }
    if (v > STORE_SCHEMA_VERSION) {
        /* the header looked older, but the WAL holds a newer schema */
        exec(st, "ROLLBACK");
        LOG_ERR("%s was written by a newer gaitcue (schema %d; this station knows up to %d): "
                "update gaitcue to open it. The database was not changed.",
                st->path, v, STORE_SCHEMA_VERSION);
        return GC_ERR_VERSION;
    }
    for (; v < max_version; v++) {
        rc = exec(st, migrations[v]);
        if (rc)
            break;
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d;", v + 1,
                 STORE_APP_ID);
        rc = exec(st, sql);
        if (rc)
            break;
        LOG_INFO("%s: schema upgraded to version %d", st->path, v + 1);
    }
    if (rc) {
        exec(st, "ROLLBACK");
        LOG_ERR("upgrading %s failed; the database was left as it was.", st->path);
        return rc;
    }
    return exec(st, "COMMIT");
}

int store_open_at(const char *path, int max_version, struct store **out)
{
    *out = NULL;
    if (max_version < 1 || max_version > STORE_SCHEMA_VERSION)
        return GC_ERR_ARG;
    struct store *st = calloc(1, sizeof *st);
    if (!st)
        return GC_ERR_NOMEM;
    int rc;
    if (path && path[0])
        snprintf(st->path, sizeof st->path, "%s", path);
    else if ((rc = store_default_path(st->path, sizeof st->path)) != GC_OK) {
        LOG_ERR("no place for the database: set HOME or XDG_DATA_HOME, or give --db PATH.");
        free(st);
        return rc;
    }
    bool exists;
    rc = check_header(st->path, &exists);
    if (rc) {
        free(st);
        return rc;
    }
    if (!exists) {
        rc = make_parent_dirs(st->path);
        if (rc) {
            LOG_ERR("cannot create the directory for %s: %s; give --db a writable path.", st->path,
                    strerror(errno));
            free(st);
            return rc;
        }
        /* create it 0600 ourselves: SQLite would use 0644 & ~umask */
        int fd = open(st->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, DATADIR_FILE_MODE);
        if (fd < 0 && errno != EEXIST) {
            int e = errno;
            LOG_ERR("cannot create the database %s: %s; give --db a writable path.", st->path,
                    strerror(e));
            free(st);
            return e == EACCES ? GC_ERR_PERM : GC_ERR_IO;
        }
        if (fd >= 0) {
            /* the umask may have taken the owner's write bit */
            if (fchmod(fd, DATADIR_FILE_MODE) != 0)
                LOG_WARN("cannot chmod %s: %s", st->path, strerror(errno));
            close(fd);
        }
    }
    rc = tighten_main(st->path);
    if (rc == GC_OK)
        rc = tighten_sides(st->path);
    if (rc) {
        free(st);
        return rc;
    }
    rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        LOG_ERR("cannot open the database %s: %s", st->path,
                st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        sqlite3_close(st->db);
        free(st);
        return GC_ERR_IO;
    }
    sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
    int v = 0;
    rc = user_version(st, &v);
    if (rc == GC_OK && v > STORE_SCHEMA_VERSION) {
        LOG_ERR("%s was written by a newer gaitcue (schema %d; this station knows up to %d): "
                "update gaitcue to open it. The database was not changed.",
                st->path, v, STORE_SCHEMA_VERSION);
        rc = GC_ERR_VERSION;
    }
    if (rc == GC_OK) {
        /* WAL: readers do not block the recorder; FULL: a commit is on
         * disk when it returns, so a power cut loses at most one batch */
        rc = exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;");
    }
    if (rc == GC_OK)
        rc = migrate(st, max_version);
    if (rc) {
        store_close(st);
        return rc;
    }
    /* SQLite made -wal and -shm with the database's mode & ~umask */
    tighten_main(st->path);
    tighten_sides(st->path);
    *out = st;
    return GC_OK;
}

int store_open(const char *path, struct store **out)
{
    return store_open_at(path, STORE_SCHEMA_VERSION, out);
}

void store_close(struct store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->ins_step);
    sqlite3_close(st->db);
    free(st);
}

const char *store_path(const struct store *st)
{
    return st->path;
}

int store_schema_version(struct store *st)
{
    int v = -1;
    int rc = user_version(st, &v);
    return rc ? rc : v;
}

int store_begin(struct store *st)
{
    return exec(st, "BEGIN IMMEDIATE");
}

int store_commit(struct store *st)
{
    int rc = exec(st, "COMMIT");
    if (rc == GC_OK)
        st->last_logged_rc = SQLITE_OK; /* a failure after a success is news */
    return rc;
}

int store_rollback(struct store *st)
{
    /* SQLite may have rolled back already (a full disk, an I/O error) */
    if (sqlite3_get_autocommit(st->db))
        return GC_OK;
    return exec(st, "ROLLBACK");
}

int store_check(struct store *st)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "PRAGMA quick_check(1)", &s);
    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        rc = sql_err(st, rc, "checking the database");
        sqlite3_finalize(s);
        return rc;
    }
    const unsigned char *t = sqlite3_column_text(s, 0);
    bool ok = t && !strcmp((const char *)t, "ok");
    if (!ok) {
        LOG_ERR("checking the database: %s", t ? (const char *)t : "no answer");
        log_corrupt(st->path);
    }
    sqlite3_finalize(s);
    return ok ? GC_OK : GC_ERR_FORMAT;
}

/* Pages copied per sqlite3_backup_step: small steps let the recorder
 * commit between them (it waits at most STORE_BUSY_MS for a lock). */
#define STORE_BACKUP_PAGES 256

int store_backup(struct store *st, const char *out_path, char *msg, size_t cap)
{
    struct datadir_guard g = {.store = st->path};
    int rc = datadir_check_output(out_path, &g, msg, cap);
    if (rc)
        return rc;
    /* copy into a private temporary file beside the target, then rename:
     * a half backup never has the backup's name */
    struct datadir_out *o;
    rc = datadir_out_open(out_path, DATADIR_OUT_TEMP, &g, &o, msg, cap);
    if (rc)
        return rc;
    char tmp[PATH_MAX + 256];
    snprintf(tmp, sizeof tmp, "%s", datadir_out_temp_path(o));
    sqlite3 *dst = NULL;
    int src = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    sqlite3_backup *b = src == SQLITE_OK ? sqlite3_backup_init(dst, "main", st->db, "main") : NULL;
    if (!b) {
        snprintf(msg, cap, "cannot start the backup into %s: %s; choose a writable path.",
                 out_path, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(src));
        sqlite3_close(dst);
        datadir_out_abort(o);
        return GC_ERR_IO;
    }
    do {
        src = sqlite3_backup_step(b, STORE_BACKUP_PAGES);
        if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (src == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    int frc = src == SQLITE_DONE ? sqlite3_errcode(dst) : src;
    /* the copy is a complete database file in rollback-journal mode: a
     * single file the clinic can move anywhere */
    if (frc == SQLITE_OK)
        frc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    sqlite3_close(dst);
    if (frc != SQLITE_OK) {
        if ((frc & 0xff) == SQLITE_CORRUPT || (frc & 0xff) == SQLITE_NOTADB)
            snprintf(msg, cap,
                     "the database %s is damaged, so it cannot be backed up; restore it from an "
                     "earlier backup.",
                     st->path);
        else
            snprintf(msg, cap, "the backup into %s failed: %s; check the disk and try again.",
                     out_path, sqlite3_errstr(frc));
        datadir_out_abort(o);
        return frc == SQLITE_FULL ? GC_ERR_IO : GC_ERR_FORMAT;
    }
    return datadir_out_commit(o, msg, cap);
}

/* ---- patients ------------------------------------------------------ */

bool store_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n >= STORE_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!isalnum((unsigned char)c) && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

int store_patient_add(struct store *st, struct store_patient *p)
{
    if (!store_code_valid(p->code) || !usertext_ok(p->name, USERTEXT_NAME_MAX))
        return GC_ERR_ARG;
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "INSERT INTO patients (code, name, birth_year, created_utc) "
                     "VALUES (?1, ?2, ?3, ?4)",
                     &s);
    if (rc)
        return rc;
    if (!p->created_utc)
        p->created_utc = (int64_t)time(NULL);
    bind_text(s, 1, p->code);
    bind_text(s, 2, p->name);
    if (p->birth_year > 0)
        sqlite3_bind_int(s, 3, p->birth_year);
    else
        sqlite3_bind_null(s, 3);
    sqlite3_bind_int64(s, 4, p->created_utc);
    rc = step_done(st, s, "adding a patient");
    if (rc == GC_OK)
        p->id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

#define PATIENT_COLS                                                                               \
    "p.id, p.code, p.name, p.birth_year, p.created_utc, "                                          \
    "(SELECT COUNT(*) FROM sessions s WHERE s.patient_id = p.id)"

static void read_patient(sqlite3_stmt *s, struct store_patient *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    col_text(s, 1, p->code, sizeof p->code);
    col_user_text(s, 2, p->name, sizeof p->name);
    p->birth_year = sqlite3_column_int(s, 3);
    p->created_utc = sqlite3_column_int64(s, 4);
    p->n_sessions = sqlite3_column_int(s, 5);
}

static int patient_query(struct store *st, const char *where, const char *text, int64_t id,
                         struct store_patient *out)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT " PATIENT_COLS " FROM patients p WHERE %s", where);
    sqlite3_stmt *s;
    int rc = prepare(st, sql, &s);
    if (rc)
        return rc;
    if (text)
        bind_text(s, 1, text);
    else
        sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_patient(s, out);
        rc = GC_OK;
    } else if (rc == SQLITE_DONE)
        rc = GC_ERR_NOT_FOUND;
    else
        rc = sql_err(st, rc, "finding a patient");
    sqlite3_finalize(s);
    return rc;
}

int store_patient_find(struct store *st, const char *code, struct store_patient *out)
{
    return patient_query(st, "p.code = ?1", code ? code : "", 0, out);
}

int store_patient_get(struct store *st, int64_t id, struct store_patient *out)
{
    return patient_query(st, "p.id = ?1", NULL, id, out);
}

int store_patient_list(struct store *st, void (*fn)(const struct store_patient *, void *),
                       void *user)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT " PATIENT_COLS " FROM patients p ORDER BY p.code", &s);
    if (rc)
        return rc;
    int n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_patient p;
        read_patient(s, &p);
        if (fn)
            fn(&p, user);
        n++;
    }
    rc = rc == SQLITE_DONE ? n : sql_err(st, rc, "listing patients");
    sqlite3_finalize(s);
    return rc;
}

/* ---- sessions ------------------------------------------------------ */

static const char *const status_names[] = {"running", "complete", "interrupted", "stopped"};

const char *store_status_name(enum store_status s)
{
    return (unsigned)s < 4 ? status_names[s] : "?";
}

static enum store_status status_of(const char *t)
{
    for (int i = 0; i < 4; i++)
        if (t && !strcmp(t, status_names[i]))
            return (enum store_status)i;
    return STORE_INTERRUPTED;
}

static bool writer_alive(int64_t pid, const char *host);

int store_session_begin(struct store *st, struct store_session *ss, const struct plan *plan,
                        const char *protocol_text)
{
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    int rc = exec(st, "SAVEPOINT begin_session");
    if (rc)
        return rc;
    sqlite3_stmt *s;
    /* One live session per patient: a running session whose writer is
     * alive (this host, its process exists) refuses a second one. */
    rc = prepare(st,
                 "SELECT writer_pid, writer_host FROM sessions WHERE patient_id = ?1 AND "
                 "status = 'running'",
                 &s);
    if (rc)
        goto fail;
    sqlite3_bind_int64(s, 1, ss->patient_id);
    bool live = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        char writer_host[128];
        col_text(s, 1, writer_host, sizeof writer_host);
        if (writer_alive(sqlite3_column_int64(s, 0), writer_host))
            live = true;
    }
    sqlite3_finalize(s);
    if (live) {
        rc = GC_ERR_BUSY;
        goto fail;
    }
    rc = prepare(st,
                 "INSERT INTO sessions (patient_id, start_utc, updated_utc, status, protocol_name,"
                 " protocol_text, therapist, sensor_serial, sensor_identity, calib_name,"
                 " calib_date, body_weight_n, sw_version, raw_path, raw_sha256, t0_sensor_s,"
                 " time_scale, method, writer_pid, writer_host) VALUES (?1, ?2, ?2, 'running',"
                 " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                 &s);
    if (rc)
        goto fail;
    if (!ss->start_utc)
        ss->start_utc = (int64_t)time(NULL);
    sqlite3_bind_int64(s, 1, ss->patient_id);
    sqlite3_bind_int64(s, 2, ss->start_utc);
    bind_text(s, 3, plan && !ss->protocol_name[0] ? plan->name : ss->protocol_name);
    bind_text(s, 4, protocol_text);
    bind_text(s, 5, ss->therapist);
    bind_text(s, 6, ss->sensor_serial);
    bind_text(s, 7, ss->sensor_identity);
    bind_text(s, 8, ss->calib_name);
    bind_text(s, 9, ss->calib_date);
    bind_real(s, 10, ss->body_weight_n);
    bind_text(s, 11, ss->sw_version[0] ? ss->sw_version : GC_VERSION);
    bind_text(s, 12, ss->raw_path);
    bind_text(s, 13, ss->raw_sha256);
    sqlite3_bind_double(s, 14, isfinite(ss->t0_sensor_s) ? ss->t0_sensor_s : 0.0);
    sqlite3_bind_double(s, 15, ss->time_scale > 0 ? ss->time_scale : 1.0);
    bind_text(s, 16, ss->method);
    sqlite3_bind_int64(s, 17, (int64_t)getpid());
    bind_text(s, 18, host);
    rc = step_done(st, s, "creating a session");
    if (rc) {
        if (rc == GC_ERR_BUSY)
            LOG_ERR("creating a session: %s", sqlite3_errmsg(st->db));
        goto fail;
    }
    ss->id = sqlite3_last_insert_rowid(st->db);
    ss->status = STORE_RUNNING;
    for (size_t i = 0; plan && i < plan->n_phases; i++) {
        const struct plan_phase *ph = &plan->phases[i];
        rc = prepare(st,
                     "INSERT INTO phases (session_id, idx, name, kind, planned_start_s, planned_s,"
                     " feedback) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &s);
        if (rc)
            goto fail;
        sqlite3_bind_int64(s, 1, ss->id);
        sqlite3_bind_int(s, 2, (int)i);
        bind_text(s, 3, ph->name);
        bind_text(s, 4, plan_kind_name(ph->kind));
        sqlite3_bind_double(s, 5, session_phase_start(plan, i));
        sqlite3_bind_double(s, 6, ph->duration_s);
        bind_text(s, 7, plan_feedback_name(ph->feedback));
        rc = step_done(st, s, "storing the phases");
        if (rc)
            goto fail;
    }
    return exec(st, "RELEASE begin_session");
fail:
    exec(st, "ROLLBACK TO begin_session; RELEASE begin_session");
    return rc;
}

int store_session_finish(struct store *st, int64_t id, enum store_status status, int64_t end_utc,
                         double stopped_at_s)
{
    /* a savepoint works inside the caller's batch and alone */
    int rc = exec(st, "SAVEPOINT finish_session");
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = prepare(st,
                 "UPDATE sessions SET status = ?2, end_utc = ?3, updated_utc = ?3, "
                 "stopped_at_s = ?4 WHERE id = ?1",
                 &s);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, id);
        bind_text(s, 2, store_status_name(status));
        sqlite3_bind_int64(s, 3, end_utc ? end_utc : (int64_t)time(NULL));
        bind_real(s, 4, stopped_at_s);
        rc = step_done(st, s, "finishing a session");
    }
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    if (rc == GC_OK)
        rc = store_rebuild_minutes(st, id);
    if (rc) {
        exec(st, "ROLLBACK TO finish_session; RELEASE finish_session");
        return rc;
    }
    return exec(st, "RELEASE finish_session");
}

int store_session_touch(struct store *st, int64_t id, int64_t now_utc)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "UPDATE sessions SET updated_utc = ?2 WHERE id = ?1", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now_utc);
    return step_done(st, s, "updating a session");
}

static int update_one(struct store *st, const char *sql, int64_t id, double v, const char *t1,
                      const char *t2)
{
    sqlite3_stmt *s;
    int rc = prepare(st, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if (t1) {
        bind_text(s, 2, t1);
        bind_text(s, 3, t2);
    } else
        bind_real(s, 2, v);
    rc = step_done(st, s, "updating a session");
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    return rc;
}

int store_session_set_body_weight(struct store *st, int64_t id, double body_weight_n)
{
    return update_one(st, "UPDATE sessions SET body_weight_n = ?2 WHERE id = ?1", id, body_weight_n,
                      NULL, NULL);
}

int store_session_set_raw(struct store *st, int64_t id, const char *path, const char *sha256_hex)
{
    return update_one(st, "UPDATE sessions SET raw_path = ?2, raw_sha256 = ?3 WHERE id = ?1", id, 0,
                      path ? path : "", sha256_hex ? sha256_hex : "");
}

#define SESSION_COLS                                                                               \
    "s.id, s.patient_id, p.code, s.start_utc, s.end_utc, s.status, s.protocol_name,"               \
    " s.therapist, s.sensor_serial, s.sensor_identity, s.calib_name, s.calib_date,"                \
    " s.body_weight_n, s.sw_version, s.raw_path, s.raw_sha256, s.t0_sensor_s, s.time_scale,"       \
    " s.method, (SELECT COUNT(*) FROM steps x WHERE x.session_id = s.id),"                         \
    " s.stopped_at_s, s.excluded_utc, s.exclude_reason"                                            \
    " FROM sessions s JOIN patients p ON p.id = s.patient_id"

static void read_session(sqlite3_stmt *s, struct store_session *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    o->patient_id = sqlite3_column_int64(s, 1);
    col_text(s, 2, o->patient_code, sizeof o->patient_code);
    o->start_utc = sqlite3_column_int64(s, 3);
    o->end_utc = sqlite3_column_int64(s, 4);
    o->status = status_of((const char *)sqlite3_column_text(s, 5));
    col_text(s, 6, o->protocol_name, sizeof o->protocol_name);
    col_user_text(s, 7, o->therapist, sizeof o->therapist);
    col_text(s, 8, o->sensor_serial, sizeof o->sensor_serial);
    col_text(s, 9, o->sensor_identity, sizeof o->sensor_identity);
    col_text(s, 10, o->calib_name, sizeof o->calib_name);
    col_text(s, 11, o->calib_date, sizeof o->calib_date);
    o->body_weight_n = col_real(s, 12);
    col_text(s, 13, o->sw_version, sizeof o->sw_version);
    col_text(s, 14, o->raw_path, sizeof o->raw_path);
    col_text(s, 15, o->raw_sha256, sizeof o->raw_sha256);
    o->t0_sensor_s = sqlite3_column_double(s, 16);
    o->time_scale = sqlite3_column_double(s, 17);
    col_text(s, 18, o->method, sizeof o->method);
    o->n_steps = sqlite3_column_int64(s, 19);
    o->stopped_at_s = col_real(s, 20);
    o->excluded_utc = sqlite3_column_int64(s, 21);
    col_user_text(s, 22, o->exclude_reason, sizeof o->exclude_reason);
}

int store_session_exclude(struct store *st, int64_t id, const char *reason, int64_t now_utc)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "UPDATE sessions SET excluded_utc = ?2, exclude_reason = ?3 WHERE id = ?1 "
                     "AND status != 'running' AND (?2 IS NULL OR excluded_utc IS NULL)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if (reason)
        sqlite3_bind_int64(s, 2, now_utc);
    else
        sqlite3_bind_null(s, 2);
    bind_text(s, 3, reason ? reason : "");
    rc = step_done(st, s, "excluding a session");
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    return rc;
}

int store_session_get(struct store *st, int64_t id, struct store_session *out)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT " SESSION_COLS " WHERE s.id = ?1", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_session(s, out);
        rc = GC_OK;
    } else
        rc = rc == SQLITE_DONE ? GC_ERR_NOT_FOUND : sql_err(st, rc, "reading a session");
    sqlite3_finalize(s);
    return rc;
}

static int one_id(struct store *st, const char *sql, int64_t a, int64_t *id)
{
    sqlite3_stmt *s;
    int rc = prepare(st, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, a);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        rc = GC_OK;
    } else
        rc = rc == SQLITE_DONE ? GC_ERR_NOT_FOUND : sql_err(st, rc, "finding a session");
    sqlite3_finalize(s);
    return rc;
}

int store_session_latest(struct store *st, int64_t patient_id, int64_t *id)
{
    return one_id(st,
                  "SELECT id FROM sessions WHERE ?1 = 0 OR patient_id = ?1 "
                  "ORDER BY start_utc DESC, id DESC LIMIT 1",
                  patient_id, id);
}

int store_session_previous(struct store *st, int64_t id, int64_t *prev_id)
{
    return one_id(st,
                  "SELECT b.id FROM sessions a JOIN sessions b ON b.patient_id = a.patient_id "
                  "AND b.protocol_name = a.protocol_name AND b.excluded_utc IS NULL "
                  "AND b.status != 'running' "
                  "WHERE a.id = ?1 AND (b.start_utc < a.start_utc OR "
                  "(b.start_utc = a.start_utc AND b.id < a.id)) "
                  "ORDER BY b.start_utc DESC, b.id DESC LIMIT 1",
                  id, prev_id);
}

int store_session_list(struct store *st, int64_t patient_id,
                       void (*fn)(const struct store_session *, void *), void *user)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "SELECT " SESSION_COLS " WHERE ?1 = 0 OR s.patient_id = ?1 "
                     "ORDER BY s.start_utc, s.id",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    int n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_session ss;
        read_session(s, &ss);
        if (fn)
            fn(&ss, user);
        n++;
    }
    rc = rc == SQLITE_DONE ? n : sql_err(st, rc, "listing sessions");
    sqlite3_finalize(s);
    return rc;
}

int store_session_protocol(struct store *st, int64_t id, char **text)
{
    *text = NULL;
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT protocol_text FROM sessions WHERE id = ?1", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        *text = strdup(t ? (const char *)t : "");
        rc = *text ? GC_OK : GC_ERR_NOMEM;
    } else
        rc = rc == SQLITE_DONE ? GC_ERR_NOT_FOUND : sql_err(st, rc, "reading a protocol");
    sqlite3_finalize(s);
    return rc;
}

static bool writer_alive(int64_t pid, const char *host)
{
    char me[128] = "";
    gethostname(me, sizeof me - 1);
    if (pid <= 0 || strcmp(host, me) != 0)
        return false; /* another machine's session on a copied file: it is not running here */
    if (pid > INT_MAX)
        return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int store_recover(struct store *st, int64_t *ids, size_t cap)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "SELECT id, writer_pid, writer_host, COALESCE(updated_utc, start_utc) "
                     "FROM sessions WHERE status = 'running' ORDER BY id",
                     &s);
    if (rc)
        return rc;
    int64_t found[64];
    int64_t when[64];
    size_t n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 64) {
        int64_t pid = sqlite3_column_int64(s, 1);
        char host[128];
        col_text(s, 2, host, sizeof host);
        if (writer_alive(pid, host))
            continue;
        found[n] = sqlite3_column_int64(s, 0);
        when[n] = sqlite3_column_int64(s, 3);
        n++;
    }
    sqlite3_finalize(s);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        rc = store_session_finish(st, found[i], STORE_INTERRUPTED, when[i], NAN);
        if (rc)
            return rc;
        LOG_INFO("session %lld was cut short (crash or power loss): marked interrupted",
                 (long long)found[i]);
        if (ids && done < cap)
            ids[done] = found[i];
        done++;
    }
    return (int)done;
}

/* ---- phases -------------------------------------------------------- */

int store_phase_add(struct store *st, int64_t sid, int idx, const struct plan_phase *ph,
                    double start_s)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "INSERT INTO phases (session_id, idx, name, kind, planned_start_s, planned_s,"
                     " feedback) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_int(s, 2, idx);
    bind_text(s, 3, ph->name);
    bind_text(s, 4, plan_kind_name(ph->kind));
    sqlite3_bind_double(s, 5, start_s);
    sqlite3_bind_double(s, 6, ph->duration_s);
    bind_text(s, 7, plan_feedback_name(ph->feedback));
    return step_done(st, s, "storing an added phase");
}

int store_phase_begin(struct store *st, int64_t sid, int idx, double start_s,
                      const struct session_targets *t)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "UPDATE phases SET start_s = ?3, feedback = ?4, feedback_share = ?5,"
                     " cadence_spm = ?6, cadence_lo_spm = ?7, cadence_hi_spm = ?8,"
                     " valr_ceiling_bw_s = ?9 WHERE session_id = ?1 AND idx = ?2",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_int(s, 2, idx);
    bind_real(s, 3, start_s);
    bind_text(s, 4, plan_feedback_name(t->feedback));
    bind_real(s, 5, t->feedback_share);
    bind_real(s, 6, t->cadence_spm);
    bind_real(s, 7, t->cadence_lo_spm);
    bind_real(s, 8, t->cadence_hi_spm);
    bind_real(s, 9, t->valr_ceiling_bw_s);
    rc = step_done(st, s, "recording a phase");
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    return rc;
}

static enum plan_kind kind_of(const char *t)
{
    for (int k = PLAN_KIND_WEIGH_IN; k <= PLAN_KIND_RUN; k++)
        if (t && !strcmp(t, plan_kind_name((enum plan_kind)k)))
            return (enum plan_kind)k;
    return PLAN_KIND_TRAINING;
}

static enum plan_feedback feedback_of(const char *t)
{
    for (int k = PLAN_FB_NONE; k <= PLAN_FB_FADED; k++)
        if (t && !strcmp(t, plan_feedback_name((enum plan_feedback)k)))
            return (enum plan_feedback)k;
    return PLAN_FB_NONE;
}

/* Grow *buf by one element of size sz; returns the new element or NULL. */
static void *grow(void **buf, size_t *n, size_t *cap, size_t sz)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void *p = realloc(*buf, nc * sz);
        if (!p)
            return NULL;
        *buf = p;
        *cap = nc;
    }
    return (char *)*buf + (*n)++ * sz;
}

int store_load_phases(struct store *st, int64_t sid, struct store_phase **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "SELECT idx, name, kind, planned_start_s, planned_s, start_s, feedback,"
                     " feedback_share, cadence_spm, cadence_lo_spm, cadence_hi_spm,"
                     " valr_ceiling_bw_s FROM phases WHERE session_id = ?1 ORDER BY idx",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_phase *p = grow(&buf, n, &cap, sizeof *p);
        if (!p) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(p, 0, sizeof *p);
        p->idx = sqlite3_column_int(s, 0);
        col_text(s, 1, p->name, sizeof p->name);
        p->kind = kind_of((const char *)sqlite3_column_text(s, 2));
        p->planned_start_s = sqlite3_column_double(s, 3);
        p->planned_s = sqlite3_column_double(s, 4);
        p->start_s = col_real(s, 5);
        p->started = isfinite(p->start_s);
        p->targets.feedback = feedback_of((const char *)sqlite3_column_text(s, 6));
        p->targets.feedback_share = col_real(s, 7);
        p->targets.cadence_spm = col_real(s, 8);
        p->targets.cadence_lo_spm = col_real(s, 9);
        p->targets.cadence_hi_spm = col_real(s, 10);
        p->targets.valr_ceiling_bw_s = col_real(s, 11);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sql_err(st, rc, "reading phases");
    }
    return GC_OK;
}

/* ---- steps --------------------------------------------------------- */

int store_add_step(struct store *st, int64_t sid, const struct session_step *ss)
{
    int rc;
    if (!st->ins_step) {
        rc = prepare(st,
                     "INSERT OR REPLACE INTO steps (session_id, idx, side, t_ic_s, t_to_s,"
                     " contact_ms, flight_ms, step_ms, cadence_spm, impact_peak_n,"
                     " impact_peak_bw, t_impact_s, valr_bw_s, vilr_bw_s, active_peak_n,"
                     " active_peak_bw, flags, phase, in_band, under_ceiling) VALUES (?1, ?2,"
                     " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
                     " ?19, ?20)",
                     &st->ins_step);
        if (rc)
            return rc;
    }
    sqlite3_stmt *s = st->ins_step;
    const struct gait_step *g = &ss->step;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_int64(s, 2, g->index);
    if (g->side == GAIT_SIDE_LEFT)
        bind_text(s, 3, "L");
    else if (g->side == GAIT_SIDE_RIGHT)
        bind_text(s, 3, "R");
    else
        sqlite3_bind_null(s, 3);
    bind_real(s, 4, g->t_ic_s);
    bind_real(s, 5, g->t_to_s);
    bind_real(s, 6, g->contact_ms);
    bind_real(s, 7, g->flight_ms);
    bind_real(s, 8, g->step_ms);
    bind_real(s, 9, g->cadence_spm);
    bind_real(s, 10, g->impact_peak_n);
    bind_real(s, 11, g->impact_peak_bw);
    bind_real(s, 12, g->t_impact_s);
    bind_real(s, 13, g->valr_bw_s);
    bind_real(s, 14, g->vilr_bw_s);
    bind_real(s, 15, g->active_peak_n);
    bind_real(s, 16, g->active_peak_bw);
    sqlite3_bind_int64(s, 17, g->flags);
    sqlite3_bind_int(s, 18, ss->phase);
    sqlite3_bind_int(s, 19, ss->in_band);
    sqlite3_bind_int(s, 20, ss->under_ceiling);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? GC_OK : sql_err(st, rc, "storing a step");
}

int store_load_steps(struct store *st, int64_t sid, struct session_step **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "SELECT idx, side, t_ic_s, t_to_s, contact_ms, flight_ms, step_ms,"
                     " cadence_spm, impact_peak_n, impact_peak_bw, t_impact_s, valr_bw_s,"
                     " vilr_bw_s, active_peak_n, active_peak_bw, flags, phase, in_band,"
                     " under_ceiling FROM steps WHERE session_id = ?1 ORDER BY idx",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct session_step *x = grow(&buf, n, &cap, sizeof *x);
        if (!x) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(x, 0, sizeof *x);
        struct gait_step *g = &x->step;
        g->index = (uint32_t)sqlite3_column_int64(s, 0);
        const unsigned char *side = sqlite3_column_text(s, 1);
        g->side = side && side[0] == 'L'   ? GAIT_SIDE_LEFT
                  : side && side[0] == 'R' ? GAIT_SIDE_RIGHT
                                           : GAIT_SIDE_UNKNOWN;
        g->t_ic_s = col_real(s, 2);
        g->t_to_s = col_real(s, 3);
        g->contact_ms = col_real(s, 4);
        g->flight_ms = col_real(s, 5);
        g->step_ms = col_real(s, 6);
        g->cadence_spm = col_real(s, 7);
        g->impact_peak_n = col_real(s, 8);
        g->impact_peak_bw = col_real(s, 9);
        g->t_impact_s = col_real(s, 10);
        g->valr_bw_s = col_real(s, 11);
        g->vilr_bw_s = col_real(s, 12);
        g->active_peak_n = col_real(s, 13);
        g->active_peak_bw = col_real(s, 14);
        g->flags = (uint32_t)sqlite3_column_int64(s, 15);
        x->phase = sqlite3_column_int(s, 16);
        x->in_band = (int8_t)sqlite3_column_int(s, 17);
        x->under_ceiling = (int8_t)sqlite3_column_int(s, 18);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sql_err(st, rc, "reading steps");
    }
    return GC_OK;
}

/* ---- target changes ------------------------------------------------ */

int store_add_target_change(struct store *st, int64_t sid, const struct store_target_change *c)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "INSERT INTO target_changes (session_id, t_s, source, feedback,"
                     " feedback_share, cadence_spm, cadence_lo_spm, cadence_hi_spm,"
                     " valr_ceiling_bw_s, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_double(s, 2, c->t_s);
    bind_text(s, 3, c->source == STORE_SRC_THERAPIST ? "therapist" : "protocol");
    bind_text(s, 4, plan_feedback_name(c->targets.feedback));
    bind_real(s, 5, c->targets.feedback_share);
    bind_real(s, 6, c->targets.cadence_spm);
    bind_real(s, 7, c->targets.cadence_lo_spm);
    bind_real(s, 8, c->targets.cadence_hi_spm);
    bind_real(s, 9, c->targets.valr_ceiling_bw_s);
    bind_text(s, 10, c->note);
    return step_done(st, s, "storing a target change");
}

int store_load_target_changes(struct store *st, int64_t sid, struct store_target_change **out,
                              size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "SELECT t_s, source, feedback, feedback_share, cadence_spm, cadence_lo_spm,"
                     " cadence_hi_spm, valr_ceiling_bw_s, note FROM target_changes"
                     " WHERE session_id = ?1 ORDER BY t_s, id",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_target_change *c = grow(&buf, n, &cap, sizeof *c);
        if (!c) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(c, 0, sizeof *c);
        c->t_s = sqlite3_column_double(s, 0);
        const unsigned char *src = sqlite3_column_text(s, 1);
        c->source = src && !strcmp((const char *)src, "therapist") ? STORE_SRC_THERAPIST
                                                                   : STORE_SRC_PROTOCOL;
        c->targets.feedback = feedback_of((const char *)sqlite3_column_text(s, 2));
        c->targets.feedback_share = col_real(s, 3);
        c->targets.cadence_spm = col_real(s, 4);
        c->targets.cadence_lo_spm = col_real(s, 5);
        c->targets.cadence_hi_spm = col_real(s, 6);
        c->targets.valr_ceiling_bw_s = col_real(s, 7);
        col_user_text(s, 8, c->note, sizeof c->note);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sql_err(st, rc, "reading target changes");
    }
    return GC_OK;
}

/* ---- markers ------------------------------------------------------- */

static const char *const marker_names[] = {"pain", "symptom", "note"};

const char *store_marker_kind_name(enum store_marker_kind k)
{
    return (unsigned)k < 3 ? marker_names[k] : "?";
}

int store_add_marker(struct store *st, int64_t sid, const struct store_marker *m)
{
    if ((unsigned)m->kind > STORE_MARK_NOTE ||
        (m->kind == STORE_MARK_PAIN && (m->pain < 0 || m->pain > 10)))
        return GC_ERR_ARG;
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "INSERT INTO markers (session_id, t_s, kind, pain, text) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_double(s, 2, m->t_s);
    bind_text(s, 3, store_marker_kind_name(m->kind));
    if (m->kind == STORE_MARK_PAIN)
        sqlite3_bind_int(s, 4, m->pain);
    else
        sqlite3_bind_null(s, 4);
    bind_text(s, 5, m->text);
    return step_done(st, s, "storing a marker");
}

int store_load_markers(struct store *st, int64_t sid, struct store_marker **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "SELECT t_s, kind, pain, text FROM markers WHERE session_id = ?1 "
                     "ORDER BY t_s, id",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_marker *m = grow(&buf, n, &cap, sizeof *m);
        if (!m) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(m, 0, sizeof *m);
        m->t_s = sqlite3_column_double(s, 0);
        const char *k = (const char *)sqlite3_column_text(s, 1);
        m->kind = STORE_MARK_NOTE;
        for (int i = 0; i < 3; i++)
            if (k && !strcmp(k, marker_names[i]))
                m->kind = (enum store_marker_kind)i;
        m->pain = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 2);
        col_user_text(s, 3, m->text, sizeof m->text);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sql_err(st, rc, "reading markers");
    }
    return GC_OK;
}

/* ---- per-minute summaries ------------------------------------------ */

int store_rebuild_minutes(struct store *st, int64_t sid)
{
    struct store_session ss;
    int rc = store_session_get(st, sid, &ss);
    if (rc)
        return rc;
    struct session_step *steps;
    size_t n;
    rc = store_load_steps(st, sid, &steps, &n);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = prepare(st, "DELETE FROM minutes WHERE session_id = ?1", &s);
    if (rc)
        goto out;
    sqlite3_bind_int64(s, 1, sid);
    rc = step_done(st, s, "rebuilding minutes");
    if (rc)
        goto out;
    double last = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (steps[i].step.t_ic_s > last)
            last = steps[i].step.t_ic_s;
    int minutes = n ? (int)floor((last - ss.t0_sensor_s) / 60.0) + 1 : 0;
    for (int m = 0; m < minutes; m++) {
        struct session_stats x;
        session_stats_window(steps, n, ss.t0_sensor_s, m * 60.0, (m + 1) * 60.0, &x);
        if (x.n_steps == 0)
            continue;
        rc = prepare(st,
                     "INSERT INTO minutes (session_id, minute, n_steps, cadence_spm, contact_ms,"
                     " impact_peak_bw, valr_bw_s, vilr_bw_s, share_in_band,"
                     " share_under_ceiling, si_contact_pct, si_valr_pct) VALUES (?1, ?2, ?3, ?4,"
                     " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                     &s);
        if (rc)
            goto out;
        sqlite3_bind_int64(s, 1, sid);
        sqlite3_bind_int(s, 2, m);
        sqlite3_bind_int64(s, 3, (int64_t)x.n_steps);
        bind_real(s, 4, x.cadence_spm);
        bind_real(s, 5, x.contact_ms);
        bind_real(s, 6, x.impact_peak_bw);
        bind_real(s, 7, x.valr_bw_s);
        bind_real(s, 8, x.vilr_bw_s);
        bind_real(s, 9, x.share_in_band);
        bind_real(s, 10, x.share_under_ceiling);
        bind_real(s, 11, x.si_contact_pct);
        bind_real(s, 12, x.si_valr_pct);
        rc = step_done(st, s, "storing a minute summary");
        if (rc)
            goto out;
    }
out:
    free(steps);
    return rc;
}

int store_load_minutes(struct store *st, int64_t sid, struct store_minute **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "SELECT minute, n_steps, cadence_spm, contact_ms, impact_peak_bw, valr_bw_s,"
                     " vilr_bw_s, share_in_band, share_under_ceiling, si_contact_pct, si_valr_pct"
                     " FROM minutes WHERE session_id = ?1 ORDER BY minute",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_minute *m = grow(&buf, n, &cap, sizeof *m);
        if (!m) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(m, 0, sizeof *m);
        m->minute = sqlite3_column_int(s, 0);
        struct session_stats *x = &m->stats;
        x->n_steps = (size_t)sqlite3_column_int64(s, 1);
        x->cadence_spm = col_real(s, 2);
        x->contact_ms = col_real(s, 3);
        x->impact_peak_bw = col_real(s, 4);
        x->valr_bw_s = col_real(s, 5);
        x->vilr_bw_s = col_real(s, 6);
        x->share_in_band = col_real(s, 7);
        x->share_under_ceiling = col_real(s, 8);
        x->si_contact_pct = col_real(s, 9);
        x->si_valr_pct = col_real(s, 10);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sql_err(st, rc, "reading minutes");
    }
    return GC_OK;
}
