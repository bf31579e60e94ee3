/*
 * store_schema.c - the schema and its ordered migrations: what a gaitcue
 * database holds, and how an older one is upgraded in place on open.
 */
#define LOG_PREFIX "store"
#include "store_sql.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

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
     * documented procedure; sq_migrate() turns foreign keys off around it). */
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
    /* 3 -> 4: who made each marker (keys, ctl, web; '' before version 4) */
    "ALTER TABLE markers ADD COLUMN source TEXT NOT NULL DEFAULT '';",
    /* 4 -> 5: the session's conditions (issue 17 item 4: shoe, the
     * treadmill's speed and incline as entered, NULL when not; the deck's
     * belt-speed estimate with its 95 % interval and step count) and its
     * link health (issue 16: blocks requested again, recovered, finally lost; NULL
     * before version 5); the patient's last shoe (a new session's default).
     * store_conditions.h. */
    "ALTER TABLE sessions ADD COLUMN shoe TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE sessions ADD COLUMN speed_mps REAL;"
    "ALTER TABLE sessions ADD COLUMN incline_pct REAL;"
    "ALTER TABLE sessions ADD COLUMN deck_speed_mps REAL;"
    "ALTER TABLE sessions ADD COLUMN deck_speed_ci95_mps REAL;"
    "ALTER TABLE sessions ADD COLUMN deck_speed_steps INTEGER;"
    "ALTER TABLE sessions ADD COLUMN link_requested INTEGER;"
    "ALTER TABLE sessions ADD COLUMN link_recovered INTEGER;"
    "ALTER TABLE sessions ADD COLUMN link_lost INTEGER;"
    "ALTER TABLE patients ADD COLUMN last_shoe TEXT NOT NULL DEFAULT '';",
    /* 5 -> 6: who or what stopped a session (the PT by key, ctl or
     * Ctrl-C; --seconds; a signal from the system), how feedback
     * reached the runner (display and sound, or why not), and whether the
     * simulator was the sensor; '' and 0 before version 6. */
    "ALTER TABLE sessions ADD COLUMN stopped_by TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE sessions ADD COLUMN feedback_delivery TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE sessions ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;",
};
_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
               "one migration per schema version");


static int migrate_locked(struct store *st, int max_version);

/* Schema changes that rebuild a table need foreign keys off (they cannot
 * be switched inside a transaction); the check afterwards proves nothing
 * dangles. */
int sq_migrate(struct store *st, int max_version)
{
    int rc = sq_exec(st, "PRAGMA foreign_keys = OFF;");
    if (rc == GC_OK)
        rc = migrate_locked(st, max_version);
    int rc2 = sq_exec(st, "PRAGMA foreign_keys = ON;");
    return rc != GC_OK ? rc : rc2;
}

static int migrate_locked(struct store *st, int max_version)
{
    int v;
    int rc = sq_exec(st, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    rc = sq_user_version(st, &v);
    if (rc) {
        sq_exec(st, "ROLLBACK");
        return rc;
    }
    if (v > STORE_SCHEMA_VERSION) {
        /* the header looked older, but the WAL holds a newer schema */
        sq_exec(st, "ROLLBACK");
        LOG_ERR("%s was written by a newer gaitcue (schema %d; this station knows up to %d): "
                "update gaitcue to open it. The database was not changed.",
                st->path, v, STORE_SCHEMA_VERSION);
        return GC_ERR_VERSION;
    }
    for (; v < max_version; v++) {
        rc = sq_exec(st, migrations[v]);
        if (rc)
            break;
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d;", v + 1,
                 STORE_APP_ID);
        rc = sq_exec(st, sql);
        if (rc)
            break;
        LOG_INFO("%s: schema upgraded to version %d", st->path, v + 1);
    }
    if (rc) {
        sq_exec(st, "ROLLBACK");
        LOG_ERR("upgrading %s failed; the database was left as it was.", st->path);
        return rc;
    }
    return sq_exec(st, "COMMIT");
}
