// Plays one manifest with dash.js's or Shaka Player's default ABR and records what the
// QoE report needs, the same way for both: every video segment's URL and timing
// (Resource Timing, which both players' fetches show up in), when playback started,
// and every stall ('waiting' until 'playing' again after the start).
//
//   peer.html?player=dashjs|shaka&src=MANIFEST&seconds=80
//   window.peer.done → { player, startupMs, stalls: [{ atS, positionS, durationS }],
//                        segments: [{ url, startS, endS }], positionS, error }
'use strict';

(function peer() {
  const params = new URLSearchParams(location.search);
  const kind = params.get('player');
  const src = params.get('src');
  const seconds = Number(params.get('seconds') || 80);
  const video = document.getElementById('video');
  const LIBS = { dashjs: '/lib/dashjs/dash.all.min.js', shaka: '/lib/shaka/shaka-player.compiled.js' };
  const out = { player: kind, startupMs: -1, stalls: [], segments: [], positionS: 0, error: '' };
  const t0 = performance.now();
  let resolveDone;
  window.peer = { done: new Promise((r) => { resolveDone = r; }), out };

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!/\/video\/[^/]+\/seg-\d+\.m4s/.test(e.name)) continue;
      out.segments.push({ url: e.name, startS: (e.startTime - t0) / 1000, endS: (e.responseEnd - t0) / 1000 });
    }
  }).observe({ type: 'resource', buffered: true });

  let stallAt = -1;
  video.addEventListener('playing', () => {
    const t = (performance.now() - t0) / 1000;
    if (out.startupMs < 0) out.startupMs = t * 1000;
    if (stallAt >= 0) {
      out.stalls[out.stalls.length - 1].durationS = t - stallAt;
      stallAt = -1;
    }
  });
  video.addEventListener('waiting', () => {
    if (out.startupMs < 0 || stallAt >= 0 || video.ended) return;
    stallAt = (performance.now() - t0) / 1000;
    out.stalls.push({ atS: stallAt, positionS: video.currentTime, durationS: 0 });
  });
  const finish = (error) => {
    out.positionS = video.currentTime;
    if (stallAt >= 0) out.stalls[out.stalls.length - 1].durationS = (performance.now() - t0) / 1000 - stallAt;
    if (error) out.error = String(error);
    resolveDone(out);
  };
  video.addEventListener('timeupdate', () => { if (video.currentTime >= seconds) finish(); });
  video.addEventListener('ended', () => finish());

  const script = document.createElement('script');
  script.src = LIBS[kind];
  script.onerror = () => finish(`cannot load ${LIBS[kind]}`);
  script.onload = async () => {
    try {
      if (kind === 'dashjs') {
        const p = window.dashjs.MediaPlayer().create();
        p.updateSettings({ debug: { logLevel: window.dashjs.Debug.LOG_LEVEL_WARNING } });
        p.on(window.dashjs.MediaPlayer.events.ERROR, (e) => finish(`dash.js: ${JSON.stringify(e.error || e)}`));
        p.initialize(video, src, true);
      } else {
        window.shaka.polyfill.installAll();
        const p = new window.shaka.Player();
        await p.attach(video);
        p.addEventListener('error', (e) => finish(`shaka: ${e.detail && e.detail.code}`));
        await p.load(src);
        await video.play();
      }
    } catch (e) {
      finish(e && e.message ? e.message : e);
    }
  };
  document.head.append(script);
})();
