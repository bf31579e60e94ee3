/*
 * store_conditions.c - a session's conditions (shoe, the treadmill's
 * speed and incline, the deck's belt-speed estimate) and link health;
 * the patient's last shoe (store_conditions.h).
 */
#define LOG_PREFIX "store"
#include "store_conditions.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store_sql.h"
#include "usertext.h"

void store_conditions_clear(struct store_conditions *c)
{
    memset(c, 0, sizeof *c);
    c->speed_mps = c->incline_pct = NAN;
    c->deck_speed_mps = c->deck_speed_ci95_mps = NAN;
    c->link_requested = c->link_recovered = c->link_lost = -1;
}

/* "the session store could not WHAT (SQLite's message)" with code (a
 * gc_err; GC_ERR_IO when 0). */
static int store_fail(struct store *st, struct gc_diag *diag, int code, const char *what)
{
    return gc_fail(diag, code ? code : GC_ERR_IO, "the session store could not %s (%s)", what,
                   store_errmsg(st));
}

static int sql_fail(struct store *st, struct gc_diag *diag, int rc, const char *what)
{
    return store_fail(st, diag, sq_err(st, rc, what), what);
}

/* The columns a running session updates: the deck's estimate and the link
 * totals, bound to ?i .. ?i+5 in that order. */
static void bind_live(sqlite3_stmt *s, int i, const struct store_conditions *c)
{
    sq_bind_real(s, i, c->deck_speed_mps);
    sq_bind_real(s, i + 1, c->deck_speed_ci95_mps);
    sqlite3_bind_int64(s, i + 2, c->deck_speed_steps);
    sq_bind_count(s, i + 3, c->link_requested);
    sq_bind_count(s, i + 4, c->link_recovered);
    sq_bind_count(s, i + 5, c->link_lost);
}

int store_conditions_set(struct store *st, int64_t sid, const struct store_conditions *c,
                         struct gc_diag *diag)
{
    if (!usertext_ok(c->shoe, STORE_SHOE_MAX - 1))
        return gc_fail(diag, GC_ERR_ARG,
                       "the shoe must be at most %d bytes of text without control characters",
                       STORE_SHOE_MAX - 1);
    int rc = sq_exec(st, "SAVEPOINT conditions");
    if (rc)
        return store_fail(st, diag, rc, "store the conditions");
    sqlite3_stmt *s;
    rc = sq_prepare(st,
                    "UPDATE sessions SET shoe = ?2, speed_mps = ?3, incline_pct = ?4,"
                    " deck_speed_mps = ?5, deck_speed_ci95_mps = ?6, deck_speed_steps = ?7,"
                    " link_requested = ?8, link_recovered = ?9, link_lost = ?10 WHERE id = ?1",
                    &s);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, sid);
        sq_bind_text(s, 2, c->shoe);
        sq_bind_real(s, 3, c->speed_mps);
        sq_bind_real(s, 4, c->incline_pct);
        bind_live(s, 5, c);
        rc = sq_step_done(st, s, "storing the session's conditions");
        if (rc == GC_OK && sqlite3_changes(st->db) == 0)
            rc = gc_fail(diag, GC_ERR_NOT_FOUND, "there is no session %lld in the store",
                         (long long)sid);
        else if (rc)
            rc = store_fail(st, diag, rc, "store the conditions");
    } else
        rc = store_fail(st, diag, rc, "store the conditions");
    if (rc == GC_OK && c->shoe[0]) {
        rc = sq_prepare(st,
                        "UPDATE patients SET last_shoe = ?2 WHERE id = "
                        "(SELECT patient_id FROM sessions WHERE id = ?1)",
                        &s);
        if (rc == GC_OK) {
            sqlite3_bind_int64(s, 1, sid);
            sq_bind_text(s, 2, c->shoe);
            rc = sq_step_done(st, s, "remembering the patient's shoe");
        }
        if (rc)
            rc = store_fail(st, diag, rc, "remember the shoe");
    }
    if (rc) {
        sq_exec(st, "ROLLBACK TO conditions; RELEASE conditions");
        return rc;
    }
    rc = sq_exec(st, "RELEASE conditions");
    if (rc)
        return store_fail(st, diag, rc, "store the conditions");
    gc_diag_clear(diag);
    return GC_OK;
}

int store_conditions_set_live(struct store *st, int64_t sid, const struct store_conditions *c,
                              struct gc_diag *diag)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                        "UPDATE sessions SET deck_speed_mps = ?2, deck_speed_ci95_mps = ?3,"
                        " deck_speed_steps = ?4, link_requested = ?5, link_recovered = ?6,"
                        " link_lost = ?7 WHERE id = ?1",
                        &s);
    if (rc)
        return store_fail(st, diag, rc, "store the deck's estimate");
    sqlite3_bind_int64(s, 1, sid);
    bind_live(s, 2, c);
    rc = sq_step_done(st, s, "storing the deck's estimate");
    if (rc)
        return store_fail(st, diag, rc, "store the deck's estimate");
    if (sqlite3_changes(st->db) == 0)
        return gc_fail(diag, GC_ERR_NOT_FOUND, "there is no session %lld in the store",
                       (long long)sid);
    gc_diag_clear(diag);
    return GC_OK;
}

void store_conditions_note(char *buf, size_t cap, bool incline, double from, double to,
                           const char *source)
{
    char a[32];
    if (isfinite(from))
        snprintf(a, sizeof a, incline ? "%.1f" : "%.2f", from);
    else
        snprintf(a, sizeof a, "not entered");
    snprintf(buf, cap, incline ? "incline %s -> %.1f %% (%s)" : "speed %s -> %.2f m/s (%s)", a, to,
             source);
}

bool store_conditions_parse_note(const char *note, struct store_condition_change *ch)
{
    memset(ch, 0, sizeof *ch);
    const char *p;
    if (!strncmp(note, "speed ", 6)) {
        p = note + 6;
    } else if (!strncmp(note, "incline ", 8)) {
        ch->incline = true;
        p = note + 8;
    } else
        return false;
    int end = -1, got;
    bool from = strncmp(p, "not entered -> ", 15) != 0;
    ch->from = NAN;
    if (ch->incline && from)
        got = sscanf(p, "%lf -> %lf %% (%15[^)])%n", &ch->from, &ch->to, ch->source, &end) - 1;
    else if (ch->incline)
        got = sscanf(p + 15, "%lf %% (%15[^)])%n", &ch->to, ch->source, &end);
    else if (from)
        got = sscanf(p, "%lf -> %lf m/s (%15[^)])%n", &ch->from, &ch->to, ch->source, &end) - 1;
    else
        got = sscanf(p + 15, "%lf m/s (%15[^)])%n", &ch->to, ch->source, &end);
    if (!from)
        p += 15;
    if (got != 2)
        return false;
    return end > 0 && p[end] == 0;
}

double store_conditions_end_speed(const struct store_conditions *c, double *since_s)
{
    double v = c->speed_mps, t = 0;
    size_t n = c->n_changes < STORE_COND_CHANGES_MAX ? c->n_changes : STORE_COND_CHANGES_MAX;
    for (size_t i = 0; i < n; i++)
        if (!c->changes[i].incline) {
            v = c->changes[i].to;
            t = c->changes[i].t_rel_s;
        }
    if (since_s)
        *since_s = t;
    return v;
}

double store_conditions_speed_at(const struct store_conditions *c, double t_rel_s)
{
    double v = c->speed_mps;
    size_t n = c->n_changes < STORE_COND_CHANGES_MAX ? c->n_changes : STORE_COND_CHANGES_MAX;
    for (size_t i = 0; i < n; i++)
        if (!c->changes[i].incline && c->changes[i].t_rel_s <= t_rel_s)
            v = c->changes[i].to;
    return v;
}

size_t store_conditions_speed_changes(const struct store_conditions *c)
{
    size_t n = c->n_changes < STORE_COND_CHANGES_MAX ? c->n_changes : STORE_COND_CHANGES_MAX, k = 0;
    for (size_t i = 0; i < n; i++)
        k += !c->changes[i].incline;
    return k;
}

double store_conditions_end_incline(const struct store_conditions *c)
{
    double v = c->incline_pct;
    size_t n = c->n_changes < STORE_COND_CHANGES_MAX ? c->n_changes : STORE_COND_CHANGES_MAX;
    for (size_t i = 0; i < n; i++)
        if (c->changes[i].incline)
            v = c->changes[i].to;
    return v;
}

/* The timeline from the session's change rows (in time order). */
static int load_changes(struct store *st, int64_t sid, struct store_conditions *out)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                        "SELECT c.t_s - COALESCE(s.t0_sensor_s, 0), c.note FROM target_changes c"
                        " JOIN sessions s ON s.id = c.session_id WHERE c.session_id = ?1"
                        " ORDER BY c.t_s, c.id",
                        &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *note = (const char *)sqlite3_column_text(s, 1);
        struct store_condition_change ch;
        if (!note || !store_conditions_parse_note(note, &ch))
            continue;
        ch.t_rel_s = sqlite3_column_double(s, 0);
        if (out->n_changes < STORE_COND_CHANGES_MAX)
            out->changes[out->n_changes] = ch;
        out->n_changes++;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? GC_OK : sq_err(st, rc, "reading the changes");
}

int store_conditions_get(struct store *st, int64_t sid, struct store_conditions *out,
                         struct gc_diag *diag)
{
    store_conditions_clear(out);
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                        "SELECT shoe, speed_mps, incline_pct, deck_speed_mps, deck_speed_ci95_mps,"
                        " deck_speed_steps, link_requested, link_recovered, link_lost FROM sessions"
                        " WHERE id = ?1",
                        &s);
    if (rc)
        return store_fail(st, diag, rc, "read the conditions");
    sqlite3_bind_int64(s, 1, sid);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        sq_col_user_text(s, 0, out->shoe, sizeof out->shoe);
        out->speed_mps = sq_col_real(s, 1);
        out->incline_pct = sq_col_real(s, 2);
        out->deck_speed_mps = sq_col_real(s, 3);
        out->deck_speed_ci95_mps = sq_col_real(s, 4);
        out->deck_speed_steps = sqlite3_column_int64(s, 5);
        out->link_requested = sq_col_count(s, 6);
        out->link_recovered = sq_col_count(s, 7);
        out->link_lost = sq_col_count(s, 8);
        rc = GC_OK;
    } else if (rc == SQLITE_DONE)
        rc = gc_fail(diag, GC_ERR_NOT_FOUND, "there is no session %lld in the store",
                     (long long)sid);
    else
        rc = sql_fail(st, diag, rc, "read the conditions");
    sqlite3_finalize(s);
    if (rc == GC_OK && (rc = load_changes(st, sid, out)) != GC_OK)
        rc = store_fail(st, diag, rc, "read the changes");
    if (rc == GC_OK)
        gc_diag_clear(diag);
    return rc;
}

int store_patient_last_shoe(struct store *st, int64_t patient_id, char *shoe, size_t cap,
                            struct gc_diag *diag)
{
    if (cap)
        shoe[0] = 0;
    sqlite3_stmt *s;
    int rc = sq_prepare(st, "SELECT last_shoe FROM patients WHERE id = ?1", &s);
    if (rc)
        return store_fail(st, diag, rc, "read the patient");
    sqlite3_bind_int64(s, 1, patient_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        sq_col_user_text(s, 0, shoe, cap);
        rc = GC_OK;
    } else if (rc == SQLITE_DONE)
        rc = gc_fail(diag, GC_ERR_NOT_FOUND, "there is no patient with id %lld in the store",
                     (long long)patient_id);
    else
        rc = sql_fail(st, diag, rc, "read the patient");
    sqlite3_finalize(s);
    if (rc == GC_OK)
        gc_diag_clear(diag);
    return rc;
}

/* The shoe without surrounding blanks, for comparing. */
static void trimmed(const char *s, const char **start, size_t *n)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t k = strlen(s);
    while (k && isspace((unsigned char)s[k - 1]))
        k--;
    *start = s;
    *n = k;
}

static void add_why(char *why, size_t cap, const char *what)
{
    if (!why || !cap)
        return;
    size_t k = strlen(why);
    snprintf(why + k, cap - k, "%s%s", k ? ", " : "", what);
}

static void fmt_val(char *buf, size_t cap, double v, int decimals, const char *unit)
{
    if (isfinite(v))
        snprintf(buf, cap, "%.*f%s", decimals, v, unit);
    else
        snprintf(buf, cap, "not entered");
}

bool store_conditions_differ(const struct store_conditions *a, const struct store_conditions *b,
                             char *why, size_t cap)
{
    if (why && cap)
        why[0] = 0;
    bool differ = false;
    const char *sa, *sb;
    size_t na, nb;
    trimmed(a->shoe, &sa, &na);
    trimmed(b->shoe, &sb, &nb);
    if (na != nb || strncasecmp(sa, sb, na) != 0) {
        differ = true;
        char w[2 * STORE_SHOE_MAX + 16];
        snprintf(w, sizeof w, "shoe %.*s -> %.*s", (int)(na ? na : 1), na ? sa : "-",
                 (int)(nb ? nb : 1), nb ? sb : "-");
        add_why(why, cap, w);
    }
    bool speed = isfinite(a->speed_mps) != isfinite(b->speed_mps) ||
                 (isfinite(a->speed_mps) &&
                  fabs(b->speed_mps - a->speed_mps) > STORE_SPEED_DIFFER_FRAC * a->speed_mps);
    if (speed) {
        differ = true;
        char x[32], y[32], w[96];
        fmt_val(x, sizeof x, a->speed_mps, 2, "");
        fmt_val(y, sizeof y, b->speed_mps, 2, " m/s");
        snprintf(w, sizeof w, "speed %s -> %s", x, y);
        add_why(why, cap, w);
    }
    bool incline = isfinite(a->incline_pct) != isfinite(b->incline_pct) ||
                   (isfinite(a->incline_pct) &&
                    fabs(b->incline_pct - a->incline_pct) > STORE_INCLINE_DIFFER_PCT);
    if (incline) {
        differ = true;
        char x[32], y[32], w[96];
        fmt_val(x, sizeof x, a->incline_pct, 1, "");
        fmt_val(y, sizeof y, b->incline_pct, 1, " %");
        snprintf(w, sizeof w, "incline %s -> %s", x, y);
        add_why(why, cap, w);
    }
    return differ;
}
