/*
 * test_web_state.c - the console's state JSON: valid JSON (parsed back
 * with cJSON), null where the display shows "--", text escaped, the
 * ticker, the latency fields, and a too-small buffer refused.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "gc_error.h"
#include "web_state.h"

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static bool is_null(const cJSON *o, const char *k)
{
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const char *text(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int main(void)
{
    struct display_model m;
    memset(&m, 0, sizeof m);
    m.fb.cadence_spm = NAN;
    m.fb.last_valr_bw_s = NAN;
    m.fb.last_impact_bw = NAN;
    m.fb.fade_next_s = NAN;
    m.session.phase = -1;
    m.session.phase_left_s = INFINITY;
    m.session.targets.cadence_spm = NAN;
    m.session.targets.valr_ceiling_bw_s = NAN;
    m.session.share_in_band = NAN;
    m.session.targets.feedback = PLAN_FB_NONE;
    struct web_state_extra x = {.t_session_s = 0,
                                .cadence_spectral_spm = NAN,
                                .ev_seq = 0,
                                .ev_rx_wall_ms = NAN,
                                .speed_mps = NAN,
                                .incline_pct = NAN,
                                .deck_speed_mps = NAN,
                                .deck_speed_ci95_mps = NAN};
    char buf[8192]; /* WEB_STATE_MAX */
    int n = web_state_json(&m, &x, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n == strlen(buf));
    cJSON *j = cJSON_Parse(buf);
    CHECK_MSG(j != NULL, buf);
    CHECK(!strcmp(text(j, "phase"), "starting"));
    CHECK(is_null(j, "cadence") && is_null(j, "target") && is_null(j, "valr") &&
          is_null(j, "ceiling") && is_null(j, "phase_left_s") && is_null(j, "band_lo") &&
          is_null(j, "ev_rx_wall_ms") && is_null(j, "share_in_band"));
    CHECK(!strcmp(text(j, "mode"), "off"));
    /* the treadmill unknown: nulls, check unknown, no alert */
    CHECK(is_null(j, "speed") && is_null(j, "incline") && is_null(j, "deck_speed") &&
          is_null(j, "deck_speed_ci95"));
    CHECK(!strcmp(text(j, "speed_check"), "unknown") && !strcmp(text(j, "alert"), ""));
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "ticker")) == 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "markers")) == 0);
    cJSON_Delete(j);

    /* a session in training with a target, a ticker and hostile text */
    m.session.phase = 0;
    m.session.kind = PLAN_KIND_TRAINING;
    snprintf(m.session.phase_name, sizeof m.session.phase_name, "training");
    m.session.phase_s = 42.04;
    m.session.phase_left_s = 60;
    m.session.targets.cadence_spm = 172;
    m.session.targets.cadence_lo_spm = 167.7;
    m.session.targets.cadence_hi_spm = 176.3;
    m.session.targets.valr_ceiling_bw_s = 66;
    m.session.targets.feedback = PLAN_FB_FADED;
    m.session.steps = 120;
    m.session.steps_scored = 100;
    m.session.share_in_band = 0.85;
    m.fb.cadence_spm = 170.44;
    m.fb.band = FEEDBACK_BAND_IN;
    m.fb.last_valr_bw_s = 58.2;
    m.fb.metronome_on = true;
    m.fb.metronome_spm = 172;
    m.fb.ticker_n = 2;
    m.fb.ticker[0] = (struct feedback_strike){.index = 118,
                                              .side = 'L',
                                              .band = FEEDBACK_BAND_LOW,
                                              .hard = true,
                                              .cadence_spm = 165,
                                              .valr_bw_s = 70};
    m.fb.ticker[1] = (struct feedback_strike){
        .index = 119, .side = 0, .band = FEEDBACK_BAND_IN, .cadence_spm = NAN, .valr_bw_s = NAN};
    snprintf(m.note, sizeof m.note, "0:42 mark symptom \"knee\\\"\n\x01 (web)");
    snprintf(m.patient, sizeof m.patient, "RUN-0042");
    x.t_session_s = 42.5;
    x.cadence_spectral_spm = 171.0;
    x.ev_seq = 12345;
    x.ev_rx_wall_ms = 1765000000123.456;
    static const char marks[2][WEB_MARKER_TEXT] = {"0:10 mark pain 3 (web)",
                                                   "0:20 mark note \"x\""};
    x.markers = marks;
    x.n_markers = 2;
    x.speed_mps = 3.6;
    x.incline_pct = 1.0;
    x.deck_speed_mps = 3.004;
    x.deck_speed_ci95_mps = 0.012;
    x.deck_speed_steps = 85;
    x.speed_check = "disagrees";
    m.treadmill_warn = true;
    snprintf(m.treadmill, sizeof m.treadmill, "CHECK SPEED: belt 3.60 m/s, deck 3.00");
    n = web_state_json(&m, &x, buf, sizeof buf);
    CHECK(n > 0);
    j = cJSON_Parse(buf);
    CHECK_MSG(j != NULL, buf);
    CHECK(!strcmp(text(j, "phase"), "training"));
    CHECK_NEAR(num(j, "cadence"), 170.4, 1e-9); /* one decimal */
    CHECK_NEAR(num(j, "cadence_spectral"), 171.0, 1e-9);
    CHECK_NEAR(num(j, "target"), 172.0, 1e-9);
    CHECK_NEAR(num(j, "band_pct"), 2.5, 0.05); /* (176.3-167.7)/2/172 = 2.50 % */
    CHECK(!strcmp(text(j, "state"), "in"));
    CHECK(!strcmp(text(j, "mode"), "faded"));
    /* the treadmill: the figures, the check, and the warning as the alert */
    CHECK_NEAR(num(j, "speed"), 3.6, 1e-9);
    CHECK_NEAR(num(j, "incline"), 1.0, 1e-9);
    CHECK_NEAR(num(j, "deck_speed"), 3.0, 1e-9); /* two decimals */
    CHECK_NEAR(num(j, "deck_speed_ci95"), 0.01, 1e-9);
    CHECK_NEAR(num(j, "deck_speed_steps"), 85, 1e-9);
    CHECK(!strcmp(text(j, "speed_check"), "disagrees"));
    CHECK(!strcmp(text(j, "alert"), "CHECK SPEED: belt 3.60 m/s, deck 3.00"));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "fading")));
    CHECK_NEAR(num(j, "ev_seq"), 12345, 0);
    CHECK_NEAR(num(j, "ev_rx_wall_ms"), 1765000000123.456, 1e-3);
    CHECK(!strcmp(text(j, "note"), m.note)); /* quotes, backslash, newline, \x01 survive */
    const cJSON *tk = cJSON_GetObjectItem(j, "ticker");
    CHECK(cJSON_GetArraySize(tk) == 2);
    const cJSON *k0 = cJSON_GetArrayItem(tk, 0), *k1 = cJSON_GetArrayItem(tk, 1);
    CHECK(!strcmp(text(k0, "side"), "L") && !strcmp(text(k0, "band"), "low"));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(k0, "hard")));
    CHECK(!strcmp(text(k1, "side"), "?") && is_null(k1, "spm"));
    const cJSON *mk = cJSON_GetObjectItem(j, "markers");
    CHECK(cJSON_GetArraySize(mk) == 2);
    CHECK(!strcmp(cJSON_GetArrayItem(mk, 1)->valuestring, "0:20 mark note \"x\""));
    cJSON_Delete(j);

    /* too small a buffer: refused, never a cut JSON */
    CHECK(web_state_json(&m, &x, buf, 100) == GC_ERR_ARG);
    CHECK(web_state_json(&m, &x, buf, 1) == GC_ERR_ARG);
    return check_exit();
}
