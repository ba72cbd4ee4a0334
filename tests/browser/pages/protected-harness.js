// One interface over dash.js, Shaka Player and hls.js playing protected titles, for
// protection.test.mjs. EME with the W3C ClearKey key system:
//   keys=manifest         the players find the license URL in the MPD (dashif:Laurl)
//                         or the key URL in the playlist (HLS), as a viewer's would
//   keys=<kid>:<key>,...  the keys are given to the player directly (hex)
//
//   window.harness.ready     resolves once the player is set up
//   window.harness.state()   playhead, decoded picture size, errors, EME events
'use strict';

(function harness() {
  const params = new URLSearchParams(location.search);
  const kind = params.get('player');
  const src = params.get('src');
  const keysParam = params.get('keys') || 'manifest';
  const video = document.getElementById('video');
  const LIBS = {
    dashjs: '/lib/dashjs/dash.all.min.js',
    shaka: '/lib/shaka/shaka-player.compiled.js',
    hlsjs: '/lib/hls.js/hls.min.js',
  };
  const h = { kind, src, errors: [], warnings: [], encrypted: 0 };
  window.harness = h;
  const describe = (x) => {
    try { return JSON.stringify(x); } catch { return String(x); }
  };
  const fail = (what) => h.errors.push(typeof what === 'string' ? what : `${what && what.name}: ${what && what.message}`);

  video.muted = true;
  video.addEventListener('error', () => fail(`video element error ${video.error && video.error.code}: ${video.error && video.error.message}`));
  // The 'encrypted' event: the browser found CENC init data (the pssh) in the media.
  video.addEventListener('encrypted', () => { h.encrypted += 1; });

  const hexToB64url = (hex) => btoa(String.fromCharCode(...hex.match(/../g).map((b) => parseInt(b, 16))))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const directKeys = keysParam === 'manifest' ? null
    : Object.fromEntries(keysParam.split(',').map((pair) => pair.split(':')));

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`cannot load ${url}`));
      document.head.append(s);
    });
  }

  const adapters = {
    async dashjs() {
      const { dashjs } = window;
      const p = dashjs.MediaPlayer().create();
      p.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING } });
      p.on(dashjs.MediaPlayer.events.ERROR, (e) => fail(`dash.js ERROR ${describe(e.error || e)}`));
      p.on(dashjs.MediaPlayer.events.PLAYBACK_ERROR, (e) => fail(`dash.js PLAYBACK_ERROR ${describe(e.error || e)}`));
      if (directKeys) {
        const clearkeys = {};
        for (const [kid, key] of Object.entries(directKeys)) clearkeys[hexToB64url(kid)] = hexToB64url(key);
        p.setProtectionData({ 'org.w3.clearkey': { clearkeys } });
      }
      p.initialize(video, src, true);
      return p;
    },

    async shaka() {
      const { shaka } = window;
      shaka.polyfill.installAll();
      const p = new shaka.Player();
      await p.attach(video);
      p.addEventListener('error', (e) => fail(`shaka error ${e.detail.code} severity ${e.detail.severity} ${describe(e.detail.data)}`));
      if (directKeys) p.configure({ drm: { clearKeys: directKeys } });
      await p.load(src);
      video.play().catch(fail);
      return p;
    },

    async hlsjs() {
      const { Hls } = window;
      if (!Hls.isSupported()) throw new Error('hls.js: MSE not supported');
      const hls = new Hls();
      hls.on(Hls.Events.ERROR, (_ev, d) => {
        const text = `hls.js ${d.fatal ? 'fatal' : 'non-fatal'} ${d.type} ${d.details}${d.error ? `: ${d.error.message}` : ''}`;
        if (d.fatal) fail(text);
        else h.warnings.push(text);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(fail));
      hls.loadSource(src);
      hls.attachMedia(video);
      return hls;
    },
  };

  h.ready = (async () => {
    if (!adapters[kind]) throw new Error(`unknown player ${kind}`);
    await loadScript(LIBS[kind]);
    h.player = await adapters[kind]();
  })().catch((e) => {
    fail(e);
    throw e;
  });
  h.state = () => ({
    time: video.currentTime,
    videoWidth: video.videoWidth,
    videoHeight: video.videoHeight,
    paused: video.paused,
    readyState: video.readyState,
    encrypted: h.encrypted,
    mediaKeys: Boolean(video.mediaKeys),
    errors: h.errors.slice(),
    warnings: h.warnings.slice(),
  });
}());
