// The libraries are UMD builds that define a global (window.shaka, window.tus,
// window.uPlot). They load on first use, as classic scripts from our own origin (the
// CSP allows 'self' only), so the catalogue and status pages do not pay for Shaka's
// 800 KB.

const loading = new Map();

function loadGlobal(src, name) {
  if (window[name]) return Promise.resolve(window[name]);
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = () => (window[name] ? resolve(window[name]) : reject(new Error(`${src} did not define ${name}`)));
      s.onerror = () => {
        loading.delete(src);
        reject(new Error(`could not load ${src}`));
      };
      document.head.append(s);
    }));
  }
  return loading.get(src);
}

export async function loadShaka() {
  const shaka = await loadGlobal('/ui/vendor/shaka-player.compiled.js', 'shaka');
  shaka.polyfill.installAll();
  return shaka;
}

export const loadTus = () => loadGlobal('/ui/vendor/tus.min.js', 'tus');

// uPlot and its stylesheet (charts of the simulation page).
export function loadUplot() {
  if (!document.querySelector('link[data-vendor="uplot"]')) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/ui/vendor/uPlot.min.css';
    link.dataset.vendor = 'uplot';
    document.head.append(link);
  }
  return loadGlobal('/ui/vendor/uPlot.iife.min.js', 'uPlot');
}
