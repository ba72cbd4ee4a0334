// Numbers as people read them.

export function bitrate(bps) {
  if (!Number.isFinite(bps) || bps <= 0) return '–';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(bps >= 1e7 ? 0 : 2)} Mbit/s`;
  return `${Math.round(bps / 1e3)} kbit/s`;
}

export function seconds(s) {
  if (!Number.isFinite(s) || s < 0) return '–';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s % 60);
  if (m < 60) return `${m} min ${r} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function bytes(n) {
  if (!Number.isFinite(n) || n < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

export function decimal(x, digits) {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

export function resolution(w, h) {
  return w && h ? `${w}×${h}` : '–';
}

export function when(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toLocaleString() : '–';
}

// A ratio in [0, 1] as "93.4 %".
export function percent(ratio, digits = 1) {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)} %` : '–';
}

// A past moment (milliseconds since the epoch) as "12 s ago".
export function ago(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '–';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 1) return 'just now';
  return s < 60 ? `${s} s ago` : `${seconds(s)} ago`;
}
