// Building DOM without innerHTML: API strings (title names, error messages) are text,
// never markup.

// h('a', { href: '#/', class: 'x', dataset: { id } , onclick }, 'text', child, …)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;  // value, max, disabled, …
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// An error box that is empty and hidden until show(message).
export function errorBox(id) {
  const el = h('p', { class: 'error', id, role: 'alert', hidden: true });
  return {
    el,
    show(message) { el.textContent = message; el.hidden = false; },
    clear() { el.textContent = ''; el.hidden = true; },
  };
}

export function stateBadge(state) {
  return h('span', { class: `badge state-${state || 'unknown'}`, dataset: { state: state || '' } }, state || 'unknown');
}
