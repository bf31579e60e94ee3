// gaitcue therapist console: live state over Server-Sent Events, commands
// as control lines POSTed to the station (the same path as 'station ctl').
'use strict';
(function () {
  const token = new URLSearchParams(location.search).get('token') || '';
  const q = 'token=' + encodeURIComponent(token);
  const $ = (id) => document.getElementById(id);
  // Latency samples for the benchmark: the station's arrival time of the
  // newest event in the state (wall clock, ms) -> this browser received it.
  window.gcLatencies = [];
  window.gcEvents = 0;
  let lastSeq = -1;

  function num(x, d) { return (x === null || x === undefined) ? '--' : x.toFixed(d); }
  function mmss(s) {
    if (s === null || s === undefined || s < 0) return '--:--';
    const t = Math.floor(s);
    return Math.floor(t / 60) + ':' + String(t % 60).padStart(2, '0');
  }
  function setText(id, text) { const e = $(id); if (e.textContent !== text) e.textContent = text; }
  function setState(id, cls, text) {
    const e = $(id);
    e.className = 'state ' + cls;
    setText(id, text);
  }
  const words = { in: 'IN BAND', low: 'QUICKER', high: 'SLOWER', unknown: '--' };

  function ticker(el, strikes) {
    const html = strikes.map((k) => '<span class="strike ' + k.band + (k.hard ? ' hard' : '') +
      '" title="#' + k.i + ' ' + num(k.spm, 1) + ' spm"></span>').join('');
    if (el.dataset.html !== html) { el.innerHTML = html; el.dataset.html = html; }
  }

  function render(s) {
    setText('phase', s.ended ? 'ended' : s.phase);
    setText('phase-clock', mmss(s.phase_s) + (s.phase_left_s !== null ? ' / -' + mmss(s.phase_left_s) : ''));
    setText('interval', s.intervals > 0 ? (s.phase.toUpperCase() + ' ' + s.interval + '/' + s.intervals) : '');
    setText('session-clock', mmss(s.t));
    setText('cadence', num(s.cadence, 0));
    setText('cadence-spectral', num(s.cadence_spectral, 1));
    setText('target', num(s.target, 1));
    setText('band', s.band_lo !== null ? num(s.band_lo, 1) + '-' + num(s.band_hi, 1) +
      ' (+-' + num(s.band_pct, 1) + ' %)' : '--');
    setState('in-band', s.target === null ? 'unknown' : s.state, s.target === null ? 'no target' : words[s.state] || s.state);
    setText('share', s.share_in_band !== null ? num(100 * s.share_in_band, 0) + ' %' : '--');
    setText('scored', String(s.scored));
    setText('valr', num(s.valr, 0));
    setText('ceiling', num(s.ceiling, 1));
    setText('hard-count', String(s.over));
    if (s.valr === null) setState('landing', 'unknown', '--');
    else setState('landing', s.hard ? 'hard' : 'soft', s.hard ? 'HARD' : 'SOFT');
    setText('steps', String(s.steps));
    ticker($('ticker-l'), s.ticker.filter((k) => k.side === 'L'));
    ticker($('ticker-r'), s.ticker.filter((k) => k.side !== 'L'));
    // gauge: target +- 10 %
    const g = $('gauge-band'), n = $('gauge-now');
    if (s.target !== null && s.band_lo !== null) {
      const lo = s.target * 0.9, span = s.target * 0.2;
      const pos = (x) => Math.max(0, Math.min(100, 100 * (x - lo) / span));
      g.style.left = pos(s.band_lo) + '%'; g.style.width = (pos(s.band_hi) - pos(s.band_lo)) + '%';
      n.style.left = s.cadence !== null ? pos(s.cadence) + '%' : '50%';
      n.hidden = s.cadence === null;
    } else { g.style.width = '0'; n.hidden = true; }
    setText('mode', s.mode);
    setText('fading', s.fading ? 'on (' + num(100 * s.fade_share, 0) + ' %)' : 'off');
    setText('feedback-on', s.feedback_on ? 'on' : 'off');
    setText('metronome', s.metronome_on ? num(s.metronome_spm, 1) : 'off');
    setText('muted', s.muted ? 'muted' : 'on');
    setText('baseline', 'baseline ' + (s.baseline !== null ? num(s.baseline, 1) + ' steps/min' : '--'));
    // the treadmill as entered beside the deck's estimate (display only)
    let tm = s.speed !== null ? 'speed ' + num(s.speed, 2) + ' m/s' : 'speed not entered';
    if (s.incline !== null) tm += ', incline ' + num(s.incline, 1) + ' %';
    tm += s.deck_speed !== null ? '; deck ' + num(s.deck_speed, 2) + ' +- ' +
      num(s.deck_speed_ci95, 2) + ' m/s (' + s.deck_speed_steps + ' steps)' : '; deck estimate --';
    if (s.speed_check === 'disagrees') tm += ' - SPEED DISAGREES';
    setText('treadmill', tm);
    $('treadmill-line').classList.toggle('warn', s.speed_check === 'disagrees');
    setText('link', s.link);
    setText('patient', s.patient ? 'patient ' + s.patient : '');
    setText('last-change', s.note);
    const a = $('alert');
    a.hidden = !s.alert; setText('alert', s.alert);
    const list = s.markers.slice().reverse().join('\n');
    const ol = $('markers');
    if (ol.dataset.list !== list) {
      ol.dataset.list = list;
      ol.innerHTML = '';
      s.markers.slice().reverse().forEach((m) => { const li = document.createElement('li'); li.textContent = m; ol.appendChild(li); });
    }
  }

  const es = new EventSource('events?' + q);
  es.onopen = () => setText('conn', 'live');
  es.onerror = () => setText('conn', 'reconnecting');
  es.onmessage = (e) => {
    const now = performance.timeOrigin + performance.now();
    const s = JSON.parse(e.data);
    window.gcEvents++;
    if (s.ev_seq !== lastSeq) {
      if (lastSeq >= 0 && s.ev_rx_wall_ms !== null) window.gcLatencies.push(now - s.ev_rx_wall_ms);
      lastSeq = s.ev_seq;
    }
    render(s);
  };

  async function send(line) {
    const reply = $('reply');
    try {
      const r = await fetch('api/cmd?' + q, { method: 'POST', body: line, headers: { 'Content-Type': 'text/plain' } });
      const t = (await r.text()).trim();
      reply.textContent = t; reply.className = 'reply ' + (r.ok ? 'ok' : 'err');
    } catch (err) {
      reply.textContent = 'error the station did not answer (' + err + ')'; reply.className = 'reply err';
    }
  }
  function quote(s) {
    return '"' + s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  }
  document.querySelectorAll('button[data-cmd]').forEach((b) => b.addEventListener('click', () => send(b.dataset.cmd)));
  document.querySelectorAll('button[data-key]').forEach((b) => b.addEventListener('click', () => {
    const v = $(b.dataset.input).value.trim();
    if (v === '') { $('reply').textContent = 'error enter a value first'; $('reply').className = 'reply err'; return; }
    send('set ' + b.dataset.key + ' ' + (/^[-+0-9.]+$/.test(v) ? v : quote(v)));
  }));
  $('apply-pain').addEventListener('click', () => {
    const v = $('mark-pain').value.trim();
    if (!/^[0-9]+$/.test(v)) { $('reply').textContent = 'error pain must be a whole number 0..10'; $('reply').className = 'reply err'; return; }
    send('mark pain ' + v);
  });
  $('apply-symptom').addEventListener('click', () => send('mark symptom ' + quote($('mark-symptom').value)));
  $('apply-note').addEventListener('click', () => send('mark note ' + quote($('mark-note').value)));
})();
