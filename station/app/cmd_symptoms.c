/* cmd_symptoms.c - `station symptoms` and `station prom`: what the patient
 * reports, recorded for the course's gate (course.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "course_app.h"
#include "course_cli.h"
#include "gc_error.h"
#include "store_course.h"
#include "usertext.h"

static void symptoms_usage(FILE *out)
{
    fprintf(out,
            "usage: station symptoms CODE --when before|during|after [--pain 0-10 [--site TEXT]]\n"
            "                        [--leak yes|no] [--heaviness yes|no] [--bleeding yes|no]\n"
            "                        [--note TEXT] [--session N] [--db PATH]\n\n"
            "Records what the patient reports around a session: pain (NPRS 0-10) and where,\n"
            "urinary leakage, pelvic heaviness or dragging, bleeding, a note.  'before'\n"
            "belongs to the next program session.  'after' belongs to the patient's latest\n"
            "session once it has ended (refused while it is still running: use 'during'\n"
            "or wait for its end); 'during' to the latest session, running or not.\n"
            "  --session N  the session it is about instead (one of the patient's; for\n"
            "               'during' and 'after'; 'station sessions' lists them)\n"
            "The output names the session.  The program's gate reads a record about one of\n"
            "the program's sessions ('station program status'); a session run outside the\n"
            "program (--protocol) does not change the gate, but a red flag reported after\n"
            "it (pain at or above the program's threshold, or a symptom in its rules) is\n"
            "shown in 'station program status' and the course report for the PT to act on\n"
            "('station program override') when the session ran since the program began.  Every record is in the session's report\n"
            "('station report', its --json \"symptoms\") and the progress report's highest\n"
            "pain.  During a session the PT can mark the same live: 'station ctl mark pain\n"
            "4', 'station ctl mark symptom leak' (also heaviness, dragging, bleeding).\n");
}

static void prom_usage(FILE *out)
{
    fprintf(out, "usage: station prom CODE [--lefs 0-80] [--nprs 0-10] [--db PATH]\n\n"
                 "Records patient-reported outcome measures: the Lower Extremity Functional\n"
                 "Scale (LEFS, 0-80, higher is better; Binkley et al. 1999) and the numeric\n"
                 "pain rating (NPRS, 0-10).  Take them at the start of a program and every few\n"
                 "sessions.  They belong to the patient's latest session once it has ended\n"
                 "(refused while it is still running, as 'station symptoms --when after' is:\n"
                 "record pain now with 'station symptoms CODE --when during --pain N', or\n"
                 "the measures after its end); the gate reads NPRS as pain and, where the\n"
                 "program says so, a LEFS drop from the best score.  The session's report\n"
                 "shows them; 'station program status' the latest of each.\n");
}

static int yes_no(const char *opt, const char *v, bool *out)
{
    if (!strcmp(v, "yes"))
        *out = true;
    else if (!strcmp(v, "no"))
        *out = false;
    else {
        fprintf(stderr, "station symptoms: %s must be yes or no, not '%.20s'.\n", opt, v);
        return 2;
    }
    return 0;
}

/* After a record: what the gate now says, when the patient has a program.
 * session_id (0 = a "before" record) is the session the record is about:
 * when it ran outside the program, the gate is not changed by it - say so
 * and why, and whether the record is a red flag the PT should see. */
static void say_gate(struct store *st, struct course_store *cs, int64_t patient_id,
                     int64_t session_id, int pain, unsigned flags)
{
    struct course_view v;
    struct gc_diag d;
    gc_diag_clear(&d);
    if (course_app_view(st, cs, patient_id, 0, course_app_today(NULL, 0), &v, &d) != GC_OK)
        return;
    bool in_program = session_id == 0;
    for (size_t i = 0; i < v.n_sessions; i++)
        in_program = in_program || v.sessions[i].s.session_id == session_id;
    if (in_program) {
        printf("program %s: gate %s: %s\n", v.program.name, course_action_name(v.state.last.action),
               v.state.last.reason);
    } else {
        struct store_session ss;
        char proto[PLAN_NAME_MAX + 16] = "";
        if (store_session_get(st, session_id, &ss) == GC_OK)
            snprintf(proto, sizeof proto, " (protocol %s)", ss.protocol_name);
        printf("program %s: session %lld%s ran outside the program, so the gate is not "
               "changed by it (only the program's own sessions are gated); the last decision "
               "stands: %s: %s\n",
               v.program.name, (long long)session_id, proto,
               course_action_name(v.state.last.action), v.state.last.reason);
        bool listed = false; /* status lists red flags of sessions since the program began */
        for (size_t i = 0; i < v.n_outside; i++)
            listed = listed || v.outside[i].session_id == session_id;
        if (course_app_red_flag(&v.program, pain, flags) && listed)
            printf("red flag: shown in 'station program status' and the course report; if it "
                   "should hold the program back, use 'station program override'\n");
        else if (course_app_red_flag(&v.program, pain, flags))
            printf("red flag: recorded with session %lld, which ran before the program began, "
                   "so 'station program status' does not list it (the session's report "
                   "does); if it should hold the program back, use 'station program "
                   "override'\n",
                   (long long)session_id);
    }
    course_app_view_free(&v);
}

int cmd_symptoms(int argc, char **argv)
{
    const char *db = NULL, *when_s = NULL, *pain_s = NULL, *site = NULL, *note = NULL, *code = NULL,
               *session_s = NULL;
    bool leak = false, heavy = false, bleed = false;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        int rc = 0;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            symptoms_usage(stdout);
            return 0;
        } else if ((v = course_cli_opt(&i, argc, argv, "--db", &missing)))
            db = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--when", &missing)))
            when_s = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--pain", &missing)))
            pain_s = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--site", &missing)))
            site = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--note", &missing)))
            note = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--session", &missing)))
            session_s = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--leak", &missing)))
            rc = yes_no("--leak", v, &leak);
        else if ((v = course_cli_opt(&i, argc, argv, "--heaviness", &missing)))
            rc = yes_no("--heaviness", v, &heavy);
        else if ((v = course_cli_opt(&i, argc, argv, "--bleeding", &missing)))
            rc = yes_no("--bleeding", v, &bleed);
        else if (missing) {
            fprintf(stderr, "station symptoms: %s needs a value.\n", argv[i]);
            return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr,
                    "station symptoms: unknown option '%s'; see 'station symptoms --help'.\n",
                    argv[i]);
            return 2;
        } else if (!code)
            code = argv[i];
        else {
            fprintf(stderr, "station symptoms: unexpected '%s'; give one patient code.\n", argv[i]);
            return 2;
        }
        if (rc)
            return rc;
    }
    if (!code) {
        symptoms_usage(stderr);
        return 2;
    }
    struct course_symptom_row r;
    memset(&r, 0, sizeof r);
    r.pain = -1;
    if (!when_s || course_when_parse(when_s, &r.when) != GC_OK) {
        fprintf(stderr, "station symptoms: give --when before, during or after (the session the "
                        "report is about).\n");
        return 2;
    }
    if (pain_s && !course_cli_int(pain_s, 0, 10, &r.pain)) {
        fprintf(stderr,
                "station symptoms: --pain is the NPRS, a whole number from 0 (none) to 10 (worst "
                "imaginable), not '%.20s'.\n",
                pain_s);
        return 2;
    }
    int64_t session_id = 0;
    if (session_s) {
        char *end = NULL;
        long long n = strtoll(session_s, &end, 10);
        if (!end || *end || end == session_s || n < 1) {
            fprintf(stderr,
                    "station symptoms: --session takes a session number ('station sessions' "
                    "lists them), not '%.20s'.\n",
                    session_s);
            return 2;
        }
        if (r.when == COURSE_BEFORE) {
            fprintf(stderr, "station symptoms: --session is for --when during or after; a "
                            "'before' record belongs to the next program session.\n");
            return 2;
        }
        session_id = (int64_t)n;
    }
    if (site && !pain_s) {
        fprintf(stderr, "station symptoms: --site says where the pain is: give --pain too.\n");
        return 2;
    }
    if ((site && !usertext_ok(site, sizeof r.site - 1)) ||
        (note && !usertext_ok(note, USERTEXT_NOTE_MAX))) {
        fprintf(stderr,
                "station symptoms: --site (at most %zu bytes) and --note (at most %d) "
                "take text without control characters.\n",
                sizeof r.site - 1, USERTEXT_NOTE_MAX);
        return 2;
    }
    bool any_flag_given = false;
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--leak", 6) || !strncmp(argv[i], "--heaviness", 11) ||
            !strncmp(argv[i], "--bleeding", 10)) /* yes or no: both are a report */
            any_flag_given = true;
    if (!pain_s && !any_flag_given && !note) {
        fprintf(stderr, "station symptoms: nothing to record: give --pain, --leak, --heaviness, "
                        "--bleeding or --note.\n");
        return 2;
    }
    r.flags = (leak ? PROGRAM_SYM_LEAK : 0) | (heavy ? PROGRAM_SYM_HEAVINESS : 0) |
              (bleed ? PROGRAM_SYM_BLEEDING : 0);
    snprintf(r.site, sizeof r.site, "%s", site ? site : "");
    snprintf(r.note, sizeof r.note, "%s", note ? note : "");
    r.utc = (int64_t)time(NULL);

    struct store *st;
    struct store_patient pt;
    int ec = course_cli_patient("station symptoms", db, code, &st, &pt);
    if (ec)
        return ec;
    struct course_store *cs;
    struct gc_diag diag;
    gc_diag_clear(&diag);
    if (course_store_open(st, &cs, &diag) != GC_OK) {
        fprintf(stderr, "station symptoms: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        store_close(st);
        return 1;
    }
    ec = 0;
    /* the session the record is about, and how it was chosen */
    struct store_session ss;
    memset(&ss, 0, sizeof ss);
    const char *chosen = "the latest session";
    if (course_store_latest_session(cs, pt.id, &r.ref_session_id, &diag) != GC_OK) {
        fprintf(stderr, "station symptoms: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        ec = 1;
    } else if (session_id) {
        chosen = "chosen with --session";
        if (store_session_get(st, session_id, &ss) != GC_OK || ss.patient_id != pt.id) {
            fprintf(stderr,
                    "station symptoms: session %lld is not one of patient %s's sessions; "
                    "'station sessions' lists them.\n",
                    (long long)session_id, pt.code);
            ec = 2;
        } else {
            r.ref_session_id = session_id;
        }
    } else if (r.ref_session_id == 0 && r.when != COURSE_BEFORE) {
        fprintf(stderr,
                "station symptoms: patient %s has no session yet to report '%s'; use --when "
                "before (it belongs to the next session).\n",
                pt.code, course_when_name(r.when));
        ec = 2;
    } else if (r.ref_session_id && store_session_get(st, r.ref_session_id, &ss) != GC_OK) {
        fprintf(stderr, "station symptoms: cannot read session %lld from the store.\n",
                (long long)r.ref_session_id);
        ec = 1;
    }
    if (ec == 0 && r.when == COURSE_AFTER && ss.status == STORE_RUNNING) {
        fprintf(stderr,
                "station symptoms: session %lld of patient %s is still running: record what "
                "the patient reports now with --when during, or use --when after once it has "
                "ended.\n",
                (long long)ss.id, pt.code);
        ec = 2;
    }
    if (ec) {
        /* refused above */
    } else if (course_store_add_symptom(cs, pt.id, &r, &diag) != GC_OK) {
        fprintf(stderr, "station symptoms: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        ec = 1;
    } else {
        char flags[80];
        program_symptoms_describe(r.flags, flags, sizeof flags);
        char pain[96] = "no pain score";
        if (r.pain >= 0)
            snprintf(pain, sizeof pain, "pain %d/10%s%s", r.pain, r.site[0] ? " at " : "", r.site);
        if (r.when == COURSE_BEFORE)
            printf("patient %s: recorded before the next session: %s; other symptoms %s\n", pt.code, pain,
                   flags);
        else
            printf("patient %s: recorded %s session %lld (%s, %s, protocol %s): %s; other "
                   "symptoms %s\n",
                   pt.code, course_when_name(r.when), (long long)r.ref_session_id, chosen,
                   store_status_name(ss.status), ss.protocol_name, pain, flags);
        say_gate(st, cs, pt.id, r.when == COURSE_BEFORE ? 0 : r.ref_session_id, r.pain, r.flags);
    }
    course_store_close(cs);
    store_close(st);
    return ec;
}

int cmd_prom(int argc, char **argv)
{
    const char *db = NULL, *lefs_s = NULL, *nprs_s = NULL, *code = NULL;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            prom_usage(stdout);
            return 0;
        } else if ((v = course_cli_opt(&i, argc, argv, "--db", &missing)))
            db = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--lefs", &missing)))
            lefs_s = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--nprs", &missing)))
            nprs_s = v;
        else if (missing) {
            fprintf(stderr, "station prom: %s needs a value.\n", argv[i]);
            return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "station prom: unknown option '%s'; see 'station prom --help'.\n",
                    argv[i]);
            return 2;
        } else if (!code)
            code = argv[i];
        else {
            fprintf(stderr, "station prom: unexpected '%s'; give one patient code.\n", argv[i]);
            return 2;
        }
    }
    if (!code) {
        prom_usage(stderr);
        return 2;
    }
    struct course_prom_row r;
    memset(&r, 0, sizeof r);
    r.lefs = r.nprs = -1;
    if (!lefs_s && !nprs_s) {
        fprintf(stderr, "station prom: nothing to record: give --lefs 0-80 and/or --nprs 0-10.\n");
        return 2;
    }
    if (lefs_s && !course_cli_int(lefs_s, 0, 80, &r.lefs)) {
        fprintf(stderr,
                "station prom: --lefs is the LEFS total, a whole number from 0 to 80, not "
                "'%.20s'.\n",
                lefs_s);
        return 2;
    }
    if (nprs_s && !course_cli_int(nprs_s, 0, 10, &r.nprs)) {
        fprintf(stderr,
                "station prom: --nprs is a whole number from 0 (no pain) to 10, not '%.20s'.\n",
                nprs_s);
        return 2;
    }
    r.utc = (int64_t)time(NULL);
    struct store *st;
    struct store_patient pt;
    int ec = course_cli_patient("station prom", db, code, &st, &pt);
    if (ec)
        return ec;
    struct course_store *cs;
    struct gc_diag diag;
    gc_diag_clear(&diag);
    if (course_store_open(st, &cs, &diag) != GC_OK) {
        fprintf(stderr, "station prom: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        store_close(st);
        return 1;
    }
    struct store_session ss;
    memset(&ss, 0, sizeof ss);
    if (course_store_latest_session(cs, pt.id, &r.ref_session_id, &diag) != GC_OK) {
        fprintf(stderr, "station prom: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        ec = 1;
    } else if (r.ref_session_id && store_session_get(st, r.ref_session_id, &ss) != GC_OK) {
        fprintf(stderr, "station prom: cannot read session %lld from the store.\n",
                (long long)r.ref_session_id);
        ec = 1;
    } else if (r.ref_session_id && ss.status == STORE_RUNNING) {
        fprintf(stderr,
                "station prom: session %lld of patient %s is still running: record the "
                "outcome measures once it has ended (pain now: 'station symptoms %s --when "
                "during --pain N').\n",
                (long long)ss.id, pt.code, pt.code);
        ec = 2;
    } else if (course_store_add_prom(cs, pt.id, &r, &diag) != GC_OK) {
        fprintf(stderr, "station prom: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        ec = 1;
    } else {
        char l[16] = "-", p[16] = "-";
        if (r.lefs >= 0)
            snprintf(l, sizeof l, "%d/80", r.lefs);
        if (r.nprs >= 0)
            snprintf(p, sizeof p, "%d/10", r.nprs);
        printf("patient %s: LEFS %s, NPRS %s recorded\n", pt.code, l, p);
        say_gate(st, cs, pt.id, r.ref_session_id, r.nprs, 0);
    }
    course_store_close(cs);
    store_close(st);
    return ec;
}
