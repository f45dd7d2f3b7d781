// The StreamGrpc status page: what this instance serves (GET /v1/info), its health (gRPC-Web), its
// import jobs with a live progress bar each (GET /v1/jobs, GET /v1/jobs/{id}/events), and a
// completion streamed token by token (POST /v1/completions). Plain browser JavaScript: the service
// serves this file as it is, nothing is built or bundled.
//
// Each job's last event sequence is kept in sessionStorage, so a reload (or a cut stream) re-attaches
// with after_sequence = the last sequence seen: the service replays everything after it, nothing is
// missed and nothing is shown twice. What the page saw is also kept in window.streamgrpcStatus
// (attach points, sequences, percentages), for the browser test and for anyone debugging the page.
'use strict';

(() => {
  const TOKEN_KEY = 'streamgrpc.token';
  const JOB_KEY = (id) => `streamgrpc.job.${id}`;
  const LIST_INTERVAL_MS = 1000;
  const HEALTH_INTERVAL_MS = 5000;
  const RETRY_MS = [500, 1000, 2000, 5000];
  const TERMINAL = new Set(['JOB_STATE_COMPLETED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED']);
  const HEALTH_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

  const $ = (id) => document.getElementById(id);
  const seen = { info: null, health: null, jobs: {}, completion: null, errors: [] };
  window.streamgrpcStatus = seen;
  const watchers = new Map();

  // --- Calls ------------------------------------------------------------------------------------

  /** A failed call: the gRPC status code and message as the service sent them. */
  class CallError extends Error {
    constructor(httpStatus, code, message) {
      super(message);
      this.httpStatus = httpStatus;
      this.code = code;
    }
  }

  function headers(extra = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
  }

  async function failure(response) {
    const body = await response.json().catch(() => ({}));
    return new CallError(response.status, body.code, body.message || `HTTP ${response.status}`);
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: headers({ accept: 'application/json' }) });
    if (!response.ok) {
      throw await failure(response);
    }
    return response.json();
  }

  /** A JSON error status written into a stream that had started: {code, message, details}. */
  function isStatus(message) {
    return typeof message.code === 'number' && typeof message.message === 'string';
  }

  /** The messages of a streaming HTTP/JSON route as they arrive: JSON transcoding writes each
   * message as one JSON object followed by a newline (docs/http.md). */
  async function* streamJson(path, init, signal) {
    const response = await fetch(path, { ...init, headers: headers({ accept: 'application/json', ...(init.headers || {}) }), signal });
    if (!response.ok) {
      throw await failure(response);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      buffer += value;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) {
          const message = JSON.parse(line);
          if (isStatus(message)) {
            throw new CallError(response.status, message.code, message.message);
          }
          yield message;
        }
      }
    }
    if (buffer.trim()) {
      const message = JSON.parse(buffer);
      if (isStatus(message)) {
        throw new CallError(response.status, message.code, message.message);
      }
      yield message;
    }
  }

  /** grpc.health.v1.Health/Check for the whole server over gRPC-Web (binary). Frames
   * (PROTOCOL-WEB.md): flags (0x00 message, 0x80 trailers) | 4-byte big-endian length | payload;
   * HealthCheckResponse is field 1 (varint) = the status. */
  async function healthCheck() {
    const response = await fetch('/grpc.health.v1.Health/Check', {
      method: 'POST',
      headers: headers({ 'content-type': 'application/grpc-web+proto', accept: 'application/grpc-web+proto', 'x-grpc-web': '1' }),
      body: new Uint8Array([0, 0, 0, 0, 0]),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    let grpcStatus = response.headers.get('grpc-status');
    let grpcMessage = response.headers.get('grpc-message');
    let serving = 0;
    for (let at = 0; at + 5 <= bytes.length;) {
      const length = ((bytes[at + 1] << 24) | (bytes[at + 2] << 16) | (bytes[at + 3] << 8) | bytes[at + 4]) >>> 0;
      const payload = bytes.subarray(at + 5, at + 5 + length);
      if (bytes[at] & 0x80) {
        const text = new TextDecoder().decode(payload);
        grpcStatus = (/grpc-status:\s*(\d+)/i.exec(text) || [])[1] ?? grpcStatus;
        grpcMessage = (/grpc-message:\s*(.*)/i.exec(text) || [])[1] ?? grpcMessage;
      } else if (payload.length >= 2 && payload[0] === 0x08) {
        serving = payload[1];
      }
      at += 5 + length;
    }
    if (grpcStatus !== '0') {
      throw new CallError(response.status, Number(grpcStatus), grpcMessage ? decodeURIComponent(grpcMessage) : `grpc-status ${grpcStatus}`);
    }
    return HEALTH_NAMES[serving] || `status ${serving}`;
  }

  // --- Rendering --------------------------------------------------------------------------------

  function element(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) {
      e.textContent = text;
    }
    if (className) {
      e.className = className;
    }
    return e;
  }

  function fillList(id, items) {
    const list = $(id);
    list.replaceChildren(...items.map(([name, detail]) => {
      const li = element('li');
      li.append(element('strong', name));
      if (detail) {
        li.append(' ', element('span', detail, 'muted'));
      }
      li.dataset.name = name;
      return li;
    }));
  }

  function showError(error) {
    const box = $('error');
    if (!error) {
      box.hidden = true;
      return;
    }
    seen.errors.push(error.message);
    box.textContent = error.message;
    box.hidden = false;
  }

  function needToken(message) {
    $('token-form').hidden = false;
    showError(new Error(message));
  }

  const short = (enumName, prefix) => (enumName || '').replace(prefix, '').toLowerCase();

  function renderInfo(info) {
    seen.info = info;
    $('instance').textContent = `instance ${info.instanceId || '?'} · ${info.version || ''}`;
    fillList('datasets', (info.datasets || []).map((d) => [d.name, (d.columns || []).join(', ')]));
    fillList('roots', (info.fileRoots || []).map((r) => [r.name, '']));
    fillList('models', (info.models || []).map((m) => [m.name, short(m.backend, 'MODEL_BACKEND_')]));
    const select = $('model');
    const current = select.value;
    select.replaceChildren(...(info.models || []).map((m) => {
      const option = element('option', m.name);
      option.value = m.name;
      return option;
    }));
    if (current) {
      select.value = current;
    }
    if (info.authMode === 'AUTH_MODE_BEARER') {
      $('token-form').hidden = false;
    }
  }

  // --- Jobs -------------------------------------------------------------------------------------

  function stored(id) {
    try {
      return JSON.parse(sessionStorage.getItem(JOB_KEY(id)) || 'null');
    } catch {
      return null;
    }
  }

  function record(id) {
    if (!seen.jobs[id]) {
      const kept = stored(id);
      seen.jobs[id] = {
        lastSequence: kept ? kept.lastSequence : 0,
        percent: kept ? kept.percent : 0,
        state: kept ? kept.state : '',
        rows: kept ? kept.rows : 0,
        attachedFrom: [],
        sequences: [],
        percents: [],
        gaps: 0,
      };
    }
    return seen.jobs[id];
  }

  function save(id, job) {
    sessionStorage.setItem(JOB_KEY(id), JSON.stringify({ lastSequence: job.lastSequence, percent: job.percent, state: job.state, rows: job.rows }));
  }

  function row(id) {
    let tr = document.querySelector(`#jobs tr[data-job-id="${CSS.escape(id)}"]`);
    if (!tr) {
      tr = element('tr');
      tr.dataset.jobId = id;
      const bar = element('div', undefined, 'bar');
      bar.append(element('div', undefined, 'fill'), element('span', '', 'label'));
      const barCell = element('td');
      barCell.append(bar);
      const idCell = element('td', id.slice(-12), 'job');
      idCell.title = id;
      tr.append(idCell, element('td', '', 'source'), element('td', '', 'table'), element('td', '', 'state'), barCell, element('td', '', 'rows'));
      $('jobs').tBodies[0].prepend(tr);
      $('jobs-empty').hidden = true;
    }
    return tr;
  }

  function renderJob(id, info) {
    const job = record(id);
    const tr = row(id);
    if (info) {
      tr.querySelector('.source').textContent = `${info.root}/${info.path}`;
      tr.querySelector('.table').textContent = info.table;
    }
    const percent = Math.max(0, Math.min(100, job.percent));
    const bar = tr.querySelector('.bar');
    bar.querySelector('.fill').style.width = `${percent}%`;
    bar.querySelector('.label').textContent = `${percent.toFixed(0)}%`;
    bar.classList.toggle('done', job.state === 'JOB_STATE_COMPLETED');
    bar.classList.toggle('failed', job.state === 'JOB_STATE_FAILED' || job.state === 'JOB_STATE_CANCELLED');
    tr.dataset.percent = String(percent);
    tr.dataset.state = job.state;
    tr.dataset.lastSequence = String(job.lastSequence);
    tr.querySelector('.state').textContent = short(job.state, 'JOB_STATE_') || '…';
    tr.querySelector('.rows').textContent = String(job.rows);
  }

  /** Applies one JobEvent (protobuf JSON: int64 as strings, zero values left out). */
  function apply(id, event) {
    const job = record(id);
    const sequence = Number(event.sequence);
    if (job.lastSequence && sequence !== job.lastSequence + 1) {
      job.gaps++;
    }
    job.lastSequence = sequence;
    job.sequences.push(sequence);
    if (event.started) {
      job.state = job.state || 'JOB_STATE_RUNNING';
    } else if (event.progress) {
      job.state = 'JOB_STATE_RUNNING';
      job.percent = event.progress.percent || 0;
      job.rows = Number(event.progress.rowsImported || 0);
    } else if (event.completed) {
      job.state = 'JOB_STATE_COMPLETED';
      job.percent = 100;
      job.rows = Number(event.completed.rowsImported || 0);
    } else if (event.failed) {
      job.state = event.failed.state || 'JOB_STATE_FAILED';
    }
    job.percents.push(job.percent);
    save(id, job);
    renderJob(id);
    return Boolean(event.completed || event.failed);
  }

  /** Watches one job from the last sequence seen until its last event; a stream that ends early
   * (a cut, a restart, a drain) is re-attached from where it stopped. */
  async function watch(id) {
    const job = record(id);
    for (let attempt = 0; ; attempt++) {
      job.attachedFrom.push(job.lastSequence);
      try {
        for await (const event of streamJson(`/v1/jobs/${encodeURIComponent(id)}/events?after_sequence=${job.lastSequence}`, {})) {
          attempt = 0;
          if (apply(id, event)) {
            return;
          }
        }
      } catch (error) {
        if (error instanceof CallError && (error.httpStatus === 401 || error.httpStatus === 403 || error.httpStatus === 404)) {
          showError(new Error(`job ${id}: ${error.message}`));
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
    }
  }

  async function refreshJobs() {
    const list = await getJson('/v1/jobs?limit=20');
    for (const info of (list.jobs || []).slice().reverse()) {
      const id = info.jobId;
      const job = record(id);
      if (!job.state) {
        job.state = info.state;
        job.rows = Number(info.rowsImported || 0);
        job.percent = info.state === 'JOB_STATE_COMPLETED' ? 100 : (Number(info.totalBytes) > 0 ? 100 * Number(info.bytesRead || 0) / Number(info.totalBytes) : 0);
      }
      renderJob(id, info);
      const finished = TERMINAL.has(job.state) && job.lastSequence >= Number(info.lastSequence || 0);
      if (!finished && !watchers.has(id)) {
        watchers.set(id, watch(id).finally(() => watchers.delete(id)));
      }
    }
  }

  // --- Completion -------------------------------------------------------------------------------

  async function complete(event) {
    event.preventDefault();
    const output = $('completion-output');
    const status = $('completion-status');
    const state = { deltas: 0, text: '', arrivals: [], done: false, finishReason: '' };
    seen.completion = state;
    output.textContent = '';
    status.textContent = 'streaming…';
    const body = { model: $('model').value, messages: [{ role: 'COMPLETION_ROLE_USER', content: $('prompt').value }] };
    try {
      for await (const chunk of streamJson('/v1/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })) {
        if (chunk.delta) {
          state.deltas++;
          state.text += chunk.delta.text || '';
          state.arrivals.push(performance.now());
          output.textContent = state.text;
        } else if (chunk.summary) {
          state.finishReason = chunk.summary.finishReason;
          const usage = chunk.summary.usage || {};
          status.textContent = `${short(chunk.summary.finishReason, 'COMPLETION_FINISH_REASON_')} · ${usage.completionTokens || 0} tokens · ${(chunk.summary.tokensPerSecond || 0).toFixed(1)} tokens/s`;
        }
      }
      state.done = true;
    } catch (error) {
      status.textContent = `failed: ${error.message}`;
      state.error = error.message;
    }
  }

  // --- Start ------------------------------------------------------------------------------------

  async function loadInfo() {
    try {
      renderInfo(await getJson('/v1/info'));
      showError(null);
      return true;
    } catch (error) {
      if (error instanceof CallError && (error.httpStatus === 401 || error.code === 16)) {
        needToken(`This instance needs a bearer token: ${error.message}`);
      } else {
        showError(error);
      }
      return false;
    }
  }

  async function pollHealth() {
    const badge = $('health');
    try {
      const health = await healthCheck();
      seen.health = health;
      badge.textContent = `health ${health.toLowerCase()}`;
      badge.className = `badge ${health === 'SERVING' ? 'ok' : 'bad'}`;
    } catch (error) {
      seen.health = `error: ${error.message}`;
      badge.textContent = 'health unknown';
      badge.className = 'badge bad';
    }
  }

  function every(ms, task) {
    const run = async () => {
      try {
        await task();
      } catch (error) {
        showError(error);
      }
      setTimeout(run, ms);
    };
    run();
  }

  async function start() {
    $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      location.reload();
    });
    $('completion-form').addEventListener('submit', complete);
    if (await loadInfo()) {
      every(HEALTH_INTERVAL_MS, pollHealth);
      every(LIST_INTERVAL_MS, refreshJobs);
    }
  }

  start();
})();
