// One interface over dash.js, Shaka Player and hls.js for players.test.mjs:
//
//   window.harness.ready          resolves once the player is set up
//   window.harness.errors         fatal player errors (the test fails on any)
//   window.harness.warnings       non-fatal hls.js errors (logged only)
//   window.harness.rungs()        [{ id, height, bandwidth }] as the player sees them
//   window.harness.current()      { id, height } of the rung the player plays now
//   window.harness.force(height)  ABR off, switch to that rung now (buffer replaced)
//   window.harness.state()        playhead, decoded picture height, errors, token renewals …
//
// Playback tokens: media URLs carry one in their path (/m/<token>/<title>/…). With
// ?renew=SECONDS the harness asks window.renewPlaybackToken() (put there by the test,
// which renews through the api as the viewer) for a new one that often, and each
// player's own request hook puts the newest token into every request it makes:
// dash.js addRequestInterceptor, Shaka's request filter, hls.js xhrSetup.
'use strict';

(function harness() {
  const params = new URLSearchParams(location.search);
  const kind = params.get('player');
  const src = params.get('src');
  const renewSeconds = Number(params.get('renew')) || 0;
  const video = document.getElementById('video');
  const LIBS = {
    dashjs: '/lib/dashjs/dash.all.min.js',
    shaka: '/lib/shaka/shaka-player.compiled.js',
    hlsjs: '/lib/hls.js/hls.min.js',
  };
  const h = { kind, src, errors: [], warnings: [], adapter: null, token: '', renewals: 0 };
  window.harness = h;
  const describe = (x) => {
    try { return JSON.stringify(x); } catch { return String(x); }
  };
  // A shaka.util.Error (a rejected load) has a code and data (for 1001: URL, status…).
  const fail = (what) => h.errors.push(typeof what === 'string' ? what
    : (what && what.code && Array.isArray(what.data) ? `shaka error ${what.code} severity ${what.severity} ${describe(what.data)}`
      : `${what && what.name}: ${what && what.message}`));

  // The path's /m/<token>/ with the newest token; other URLs as they are.
  h.rewrite = (url) => (h.token ? String(url).replace(/^(https?:\/\/[^/]+\/m\/)[^/]+\//, `$1${h.token}/`) : url);
  if (renewSeconds > 0) {
    const renew = async () => {
      try {
        h.token = (await window.renewPlaybackToken()).value;
        h.renewals += 1;
      } catch (e) {
        h.warnings.push(`renewal failed: ${e.message}`);
      }
      setTimeout(renew, renewSeconds * 1000);
    };
    setTimeout(renew, renewSeconds * 1000);
  }

  video.muted = true;
  video.addEventListener('error', () => fail(`video element error ${video.error && video.error.code}: ${video.error && video.error.message}`));

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`cannot load ${url}`));
      document.head.append(s);
    });
  }

  const byHeight = (rungs, height) => {
    const r = rungs.find((x) => x.height === height);
    if (!r) throw new Error(`no rung of height ${height} in ${describe(rungs)}`);
    return r;
  };

  const adapters = {
    async dashjs() {
      const { dashjs } = window;
      const p = dashjs.MediaPlayer().create();
      p.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING } });
      p.on(dashjs.MediaPlayer.events.ERROR, (e) => fail(`dash.js ERROR ${describe(e.error || e)}`));
      p.on(dashjs.MediaPlayer.events.PLAYBACK_ERROR, (e) => fail(`dash.js PLAYBACK_ERROR ${describe(e.error || e)}`));
      p.addRequestInterceptor((request) => {
        request.url = h.rewrite(request.url);
        return Promise.resolve(request);
      });
      p.initialize(video, src, true);
      const rungs = () => p.getRepresentationsByType('video').map((r) => ({ id: r.id, height: r.height, bandwidth: r.bandwidth }));
      return {
        player: p,
        rungs,
        current() {
          const r = p.getCurrentRepresentationForType('video');
          return r ? { id: r.id, height: r.height } : null;
        },
        force(height) {
          const r = byHeight(rungs(), height);
          p.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: false } } } });
          p.setRepresentationForTypeById('video', r.id, true);
        },
      };
    },

    async shaka() {
      const { shaka } = window;
      shaka.polyfill.installAll();
      const p = new shaka.Player();
      await p.attach(video);
      p.addEventListener('error', (e) => fail(`shaka error ${e.detail.code} severity ${e.detail.severity} ${describe(e.detail.data)}`));
      p.getNetworkingEngine().registerRequestFilter((_type, request) => {
        request.uris = request.uris.map(h.rewrite);
      });
      await p.load(src);
      video.play().catch(fail);
      const tracks = () => {
        const seen = new Map();
        for (const t of p.getVariantTracks()) if (!seen.has(t.height)) seen.set(t.height, t);
        return [...seen.values()];
      };
      return {
        player: p,
        rungs: () => tracks().map((t) => ({ id: t.id, height: t.height, bandwidth: t.bandwidth })),
        current() {
          const t = p.getVariantTracks().find((x) => x.active);
          return t ? { id: t.id, height: t.height } : null;
        },
        force(height) {
          const t = tracks().find((x) => x.height === height);
          if (!t) throw new Error(`no variant of height ${height}`);
          p.configure({ abr: { enabled: false } });
          p.selectVariantTrack(t, true);
        },
      };
    },

    async hlsjs() {
      const { Hls } = window;
      if (!Hls.isSupported()) throw new Error('hls.js: MSE not supported');
      // Opening the request ourselves is how xhrSetup changes its URL.
      const hls = new Hls({ xhrSetup: (xhr, url) => xhr.open('GET', h.rewrite(url), true) });
      hls.on(Hls.Events.ERROR, (_ev, d) => {
        const text = `hls.js ${d.fatal ? 'fatal' : 'non-fatal'} ${d.type} ${d.details}${d.error ? `: ${d.error.message}` : ''}`;
        if (d.fatal) fail(text);
        else h.warnings.push(text);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(fail));
      hls.loadSource(src);
      hls.attachMedia(video);
      const rungs = () => hls.levels.map((l, i) => ({ id: i, height: l.height, bandwidth: l.bitrate }));
      return {
        player: hls,
        rungs,
        current() {
          const i = hls.currentLevel;
          return i >= 0 && hls.levels[i] ? { id: i, height: hls.levels[i].height } : null;
        },
        force(height) {
          // Setting currentLevel is hls.js's immediate switch: manual mode, buffer flushed.
          hls.currentLevel = byHeight(rungs(), height).id;
        },
      };
    },
  };

  h.ready = (async () => {
    if (!adapters[kind]) throw new Error(`unknown player ${kind}`);
    await loadScript(LIBS[kind]);
    h.adapter = await adapters[kind]();
  })().catch((e) => {
    fail(e);
    throw e;
  });
  h.rungs = () => (h.adapter ? h.adapter.rungs() : []);
  h.current = () => (h.adapter ? h.adapter.current() : null);
  h.force = (height) => h.adapter.force(height);
  h.state = () => ({
    time: video.currentTime,
    videoHeight: video.videoHeight,
    paused: video.paused,
    ended: video.ended,
    readyState: video.readyState,
    current: h.current(),
    renewals: h.renewals,
    token: h.token,
    errors: h.errors.slice(),
  });
}());
