/*
 * web_state.h - the live state the web console shows, as one JSON object,
 * made from the same display_model the runner's display renders (so the
 * page and the screen never disagree).
 *
 * Fields (null where the display shows "--"; units in docs/web.md):
 *   t phase phase_name phase_s phase_left_s interval intervals ended
 *   cadence cadence_spectral target band_lo band_hi band_pct state
 *   share_in_band steps scored valr ceiling impact hard over
 *   mode feedback_on fading fade_share fade_next_s metronome_on
 *   metronome_spm muted baseline link_ok link calib alert note patient
 *   speed incline (entered, in force now) deck_speed deck_speed_ci95
 *   deck_speed_steps speed_check ("ok", "disagrees", "unknown") treadmill
 *   (the panel's line) treadmill_warn; alert carries the panel's CHECK
 *   SPEED line when the check disagrees and nothing graver is alerted
 *   ticker [{i, side, band, hard, spm, valr}]  markers ["0:42 mark pain 3 (web)"]
 *   ev_seq ev_rx_wall_ms
 *
 * Thread: any (pure formatting of the caller's data).
 */
#ifndef GC_WEB_STATE_H
#define GC_WEB_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "display.h"

#define WEB_MARKERS     8  /* markers the page lists */
#define WEB_MARKER_TEXT 96 /* "0:42 mark pain 3 (web)" */

/* What the page shows beyond the display model. */
struct web_state_extra {
    double t_session_s;          /* session time of the newest sample, s */
    double cadence_spectral_spm; /* the spectral cadence (FFTW), NAN until known */
    uint64_t ev_seq;             /* events the policy's view includes (latency benchmark) */
    double ev_rx_wall_ms;        /* wall clock (ms since 1970) at which the newest of
                                    them arrived over the serial link; NAN unknown */
    const char (*markers)[WEB_MARKER_TEXT]; /* this session's last markers, oldest first */
    unsigned n_markers;
    /* the treadmill (feedback_app_get_treadmill): entered speed m/s and
     * incline %, the deck's estimate m/s, its 95 % interval and steps;
     * NAN / 0 unknown; speed_check "ok" / "disagrees" / "unknown" (NULL:
     * "unknown") */
    double speed_mps, incline_pct, deck_speed_mps, deck_speed_ci95_mps;
    unsigned deck_speed_steps;
    const char *speed_check;
};

/* Writes the JSON (NUL-terminated) into buf.  Returns its length, or
 * GC_ERR_ARG when cap is too small. */
int web_state_json(const struct display_model *m, const struct web_state_extra *x, char *buf,
                   size_t cap);

#endif
