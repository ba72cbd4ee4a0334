// Upload a source file with tus (resumable, 8 MiB chunks) to /api/v1/uploads, then go
// to the new title's page. The title id comes from the X-Title-Id header of the
// creation answer (and of the last PATCH); GET /api/v1/uploads/{id} is the fallback
// for when something in between dropped the header.

import { api, CSRF_HEADER } from '../api.js';
import { errorBox, h } from '../dom.js';
import * as fmt from '../format.js';
import { loadTus } from '../vendor.js';

const CHUNK = 8 * 1024 * 1024;

function defaultName(fileName) {
  return fileName.replace(/\.[^.]+$/, '').replace(/[._]+/g, ' ').trim() || fileName;
}

export function render(view, ctx) {
  const file = h('input', { id: 'file', type: 'file', accept: 'video/*,audio/*,.mkv,.mov,.mp4,.webm,.ts,.mxf', required: true });
  const name = h('input', { id: 'name', type: 'text', placeholder: 'Title name', maxlength: '200' });
  const start = h('button', { id: 'start', type: 'submit' }, 'Upload');
  const cancel = h('button', { id: 'cancel', type: 'button', hidden: true }, 'Cancel');
  const bar = h('progress', { id: 'upload-progress', max: 100, value: 0 });
  const text = h('span', { id: 'upload-text' }, '');
  const row = h('div', { class: 'progress-row', hidden: true }, bar, text);
  const error = errorBox('upload-error');
  const form = h('form', { id: 'upload-form', class: 'stack' },
    h('label', {}, 'File ', file),
    h('label', {}, 'Title ', name),
    h('div', {}, start, ' ', cancel),
    row,
    error.el);
  view.append(h('section', {}, h('h2', {}, 'Upload'),
    h('p', { class: 'muted' }, 'The upload resumes where it stopped if the connection drops; ',
      'the title appears in the catalogue as soon as the upload starts.'),
    form));

  file.addEventListener('change', () => {
    if (file.files[0] && !name.value) name.value = defaultName(file.files[0].name);
  });

  let upload = null;
  ctx.onLeave(() => { if (upload) upload.abort(); });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) return;
    error.clear();
    let tus;
    try {
      tus = await loadTus();
    } catch (e) {
      error.show(e.message);
      return;
    }
    let titleId = '';
    const started = performance.now();
    start.disabled = true;
    file.disabled = true;
    name.disabled = true;
    cancel.hidden = false;
    row.hidden = false;
    bar.value = 0;
    text.textContent = 'Starting…';

    upload = new tus.Upload(f, {
      endpoint: '/api/v1/uploads',
      chunkSize: CHUNK,
      // The session cookie goes along by itself; changes signed by it need this header.
      headers: { [CSRF_HEADER]: '1' },
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { filename: f.name, filetype: f.type || 'application/octet-stream', title: name.value.trim() || defaultName(f.name) },
      removeFingerprintOnSuccess: true,
      onAfterResponse(_req, res) {
        const id = res.getHeader('X-Title-Id');
        if (id) titleId = id;
      },
      onProgress(sent, total) {
        const pct = total ? (sent / total) * 100 : 0;
        const secs = (performance.now() - started) / 1000;
        bar.value = pct;
        text.textContent = `${pct.toFixed(pct === 100 ? 0 : 1)} % · ${fmt.bytes(sent)} of ${fmt.bytes(total)}`
          + (secs > 0.5 ? ` · ${fmt.bitrate((sent * 8) / secs)}` : '');
      },
      onError(e) {
        // tus-js-client's message already carries the server's status and body.
        error.show(`Upload failed: ${e.message}`);
        start.disabled = false;
        file.disabled = false;
        name.disabled = false;
        cancel.hidden = true;
      },
      async onSuccess() {
        bar.value = 100;
        text.textContent = `100 % · ${fmt.bytes(f.size)} uploaded`;
        cancel.hidden = true;
        try {
          if (!titleId) titleId = (await api.upload(upload.url)).titleId;
          if (!titleId) throw new Error('the server did not name the new title');
          if (!ctx.signal.aborted) location.hash = `#/title/${encodeURIComponent(titleId)}`;
        } catch (e) {
          error.show(`Uploaded, but could not find the title: ${e.message}`);
        }
      },
    });
    // Resume an upload of the same file that an earlier visit did not finish.
    try {
      const previous = await upload.findPreviousUploads();
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
    } catch (e) {
      console.warn('no previous uploads', e);
    }
    upload.start();
  });

  cancel.addEventListener('click', async () => {
    if (!upload) return;
    // abort(true) also DELETEs the upload on the server.
    try {
      await upload.abort(true);
      text.textContent = 'Cancelled.';
    } catch (e) {
      error.show(`Could not cancel: ${e.message}`);
    }
    start.disabled = false;
    file.disabled = false;
    name.disabled = false;
    cancel.hidden = true;
  });
}
