#!/usr/bin/env node
// The status page (/) in a real browser: Debian's chromium, headless, driven by puppeteer-core.
//
// Prints one JSON line per case, as the other peers do:
//   {"peer":"chromium-status-page","case":"page_lists_info","passed":true,"detail":"...","ms":123}
//
// Usage: node status_page_check.mjs --url http://127.0.0.1:5001 --root web --path people-big.csv
//          --table web_people --screenshot /tmp/page.png [--harness]
//
// The import case needs a job that stays mid-way while the page reloads, without a timer: with
// --harness the script asks the harness (sync point import_table_locked) to hold a lock on the
// import's target table, so the job's COPY waits in PostgreSQL after its first events; the page is
// reloaded while the job waits, and then the harness releases the lock (import_table_released).
// Without --harness there is no lock and the reload may come after the job has finished.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import puppeteer from 'puppeteer-core';
import { PNG } from 'pngjs';

const PEER = 'chromium-status-page';
const CHROMIUM = '/usr/lib/chromium/chromium';
const WAIT_MS = 30000;
const JOB_WAIT_MS = 90000;
const SYNC_TIMEOUT_MS = 60000;
const PROMPT = 'status page tokens arrive one by one';

class CaseFailure extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new CaseFailure(message);
  }
}

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function parseArgs(argv) {
  const args = { url: 'http://127.0.0.1:5001', root: 'demo', path: 'people.csv', table: 'people', screenshot: '', harness: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') args.url = argv[++i];
    else if (a === '--root') args.root = argv[++i];
    else if (a === '--path') args.path = argv[++i];
    else if (a === '--table') args.table = argv[++i];
    else if (a === '--screenshot') args.screenshot = argv[++i];
    else if (a === '--harness') args.harness = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

// --- Harness (the same line protocol as tests/Interop/web/grpc_web_client.mjs) ----------------------

const stdinLines = [];
const stdinWaiters = [];
function startStdin() {
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const waiter = stdinWaiters.shift();
    if (waiter) waiter(line); else stdinLines.push(line);
  });
}

async function sync(args, caseName, point) {
  if (!args.harness) {
    return `${point} (no harness)`;
  }
  emit({ sync: point, case: caseName });
  const line = stdinLines.length > 0 ? stdinLines.shift() : await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CaseFailure(`no answer from the harness at ${point}`)), SYNC_TIMEOUT_MS);
    stdinWaiters.push((l) => { clearTimeout(timer); resolve(l); });
  });
  const answer = JSON.parse(line);
  check(answer.sync === point && answer.ok, `harness at ${point}: ${answer.detail}`);
  return answer.detail;
}

// --- Page helpers ---------------------------------------------------------------------------------

/** The page's own record of what it saw (window.streamgrpcStatus), as plain JSON. */
const status = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.streamgrpcStatus || null)));

async function waitFor(page, description, predicate, arg, timeout = WAIT_MS) {
  try {
    await page.waitForFunction(predicate, { timeout, polling: 50 }, arg);
  } catch (error) {
    const seen = await status(page).catch(() => null);
    const rows = await page.evaluate(() => [...document.querySelectorAll('#jobs tr[data-job-id]')].slice(0, 2).map((tr) => ({ ...tr.dataset }))).catch(() => null);
    throw new CaseFailure(`${description}: not within ${timeout} ms (${error.message}); the page saw jobs ${JSON.stringify(seen && Object.entries(seen.jobs).slice(-2)).slice(0, 1500)}, errors ${JSON.stringify(seen && seen.errors)}; rows ${JSON.stringify(rows)}; arg ${JSON.stringify(arg)}`);
  }
}

/** Starts the import over HTTP/JSON as a curl user would and returns its job id from the first
 * event; the job goes on after the request is dropped. */
async function startImport(args) {
  const abort = new AbortController();
  const response = await fetch(`${args.url}/v1/jobs:import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ root: args.root, path: args.path, format: 'IMPORT_FORMAT_CSV', table: args.table, csv: { header: true } }),
    signal: abort.signal,
  });
  if (!response.ok) {
    throw new CaseFailure(`POST /v1/jobs:import: HTTP ${response.status} ${await response.text().catch(() => '')}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (!buffer.includes('\n')) {
    const { value, done } = await reader.read();
    check(!done, 'the import stream ended before its first event');
    buffer += value;
  }
  abort.abort();
  const first = JSON.parse(buffer.slice(0, buffer.indexOf('\n')));
  check(first.started && first.jobId, `first event ${JSON.stringify(first)}`);
  return first.jobId;
}

function distinctColours(png) {
  const colours = new Set();
  for (let i = 0; i < png.data.length; i += 4) {
    colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
  }
  return colours.size;
}

// --- Cases ----------------------------------------------------------------------------------------

async function pageListsInfo(ctx) {
  const { page } = ctx;
  const response = await page.goto(`${ctx.args.url}/`, { waitUntil: 'load', timeout: WAIT_MS });
  check(response && response.status() === 200, `GET / answered ${response && response.status()}`);
  await waitFor(page, 'datasets, roots and models listed',
    (root) => document.querySelector('#datasets li[data-name="events"]')
      && document.querySelector(`#roots li[data-name="${root}"]`)
      && document.querySelector('#models li[data-name="builtin-echo"]'), ctx.args.root);
  await waitFor(page, 'health SERVING', () => window.streamgrpcStatus && window.streamgrpcStatus.health === 'SERVING');
  const listed = await page.evaluate(() => ({
    datasets: [...document.querySelectorAll('#datasets li')].map((li) => li.dataset.name),
    roots: [...document.querySelectorAll('#roots li')].map((li) => li.dataset.name),
    models: [...document.querySelectorAll('#models li')].map((li) => li.dataset.name),
    health: document.getElementById('health').textContent,
  }));
  return `datasets ${listed.datasets}; roots ${listed.roots}; models ${listed.models}; ${listed.health}`;
}

async function pageImport(ctx) {
  const { page, args } = ctx;
  const locked = await sync(args, 'page_import_progress', 'import_table_locked');
  const jobId = await startImport(args);
  ctx.jobId = jobId;
  const rowSelector = `#jobs tr[data-job-id="${jobId}"]`;
  // The page finds the job in GET /v1/jobs and watches it; the job waits on the lock after its
  // started event (1) and its first progress (2).
  await waitFor(page, `job ${jobId} shown running with its first events`,
    (sel) => { const tr = document.querySelector(sel); return tr && Number(tr.dataset.lastSequence) >= 2 && tr.dataset.state === 'JOB_STATE_RUNNING'; }, rowSelector);
  const before = (await status(page)).jobs[jobId];

  await page.reload({ waitUntil: 'load', timeout: WAIT_MS });
  await waitFor(page, 'the reloaded page re-attaches to the job',
    (id) => { const j = window.streamgrpcStatus.jobs[id]; return j && j.attachedFrom.length > 0; }, jobId);
  const released = await sync(args, 'page_import_progress', 'import_table_released');
  await waitFor(page, `job ${jobId} completed at 100%`,
    (sel) => { const tr = document.querySelector(sel); return tr && tr.dataset.state === 'JOB_STATE_COMPLETED' && tr.dataset.percent === '100'; }, rowSelector, JOB_WAIT_MS);
  const after = (await status(page)).jobs[jobId];
  const width = await page.$eval(`${rowSelector} .bar .fill`, (e) => e.style.width);
  ctx.reload = { before, after };

  // The bar rose: the percentages the reloaded page showed never fall, pass through the middle and end at 100.
  const p = after.percents;
  check(p.every((v, i) => i === 0 || v >= p[i - 1]), `percentages fell: ${p.join(', ')}`);
  check(p.some((v) => v > 0 && v < 100), `no value between 0 and 100: ${p.join(', ')}`);
  check(p[p.length - 1] === 100 && width === '100%', `ended at ${p[p.length - 1]}%, bar width ${width}`);
  return `lock: ${locked}; release: ${released}; bar ${p.map((v) => v.toFixed(0)).join(' -> ')}% (width ${width}), ${after.sequences.length} events after the reload`;
}

async function pageReloadReattaches(ctx) {
  check(ctx.reload, 'the import case did not get as far as the reload');
  const { before, after } = ctx.reload;
  // Before the reload the page had seen events 1..N; the reloaded page attached with
  // after_sequence=N (kept in sessionStorage) and then saw N+1, N+2, ... to the last, none twice.
  const seenBefore = before.lastSequence;
  check(before.sequences.every((s, i) => s === i + 1), `before the reload: ${before.sequences}`);
  check(after.attachedFrom[0] === seenBefore, `re-attached after ${after.attachedFrom[0]}, the page had seen ${seenBefore}`);
  check(after.sequences.length > 0 && after.sequences[0] === seenBefore + 1, `first event after the reload: ${after.sequences[0]}`);
  check(after.sequences.every((s, i) => s === seenBefore + 1 + i), `events after the reload: ${after.sequences.join(',')}`);
  check(after.gaps === 0, `${after.gaps} gaps`);
  return `saw 1..${seenBefore}, reloaded, attached with after_sequence=${seenBefore}, then ${after.sequences[0]}..${after.sequences[after.sequences.length - 1]} with no gap (attach points ${after.attachedFrom})`;
}

async function pageTokens(ctx) {
  const { page } = ctx;
  await page.$eval('#model', (select) => { select.value = 'builtin-echo'; });
  await page.$eval('#prompt', (input, prompt) => { input.value = prompt; }, PROMPT);
  await page.click('#completion-form button');
  await waitFor(page, 'the completion finished', () => window.streamgrpcStatus.completion && (window.streamgrpcStatus.completion.done || window.streamgrpcStatus.completion.error));
  const { completion } = await status(page);
  check(!completion.error, `the completion failed: ${completion.error}`);
  const shown = await page.$eval('#completion-output', (e) => e.textContent);
  const words = PROMPT.split(' ');
  check(completion.deltas === words.length, `${completion.deltas} deltas for ${words.length} words`);
  check(shown.split(/\s+/).filter(Boolean).join(' ') === PROMPT, `the box shows ${JSON.stringify(shown)}`);
  check(completion.finishReason === 'COMPLETION_FINISH_REASON_STOP', `finish reason ${completion.finishReason}`);
  const spread = completion.arrivals[completion.arrivals.length - 1] - completion.arrivals[0];
  check(spread > 0, 'every token arrived at once');
  const statusLine = await page.$eval('#completion-status', (e) => e.textContent);
  return `${completion.deltas} tokens over ${spread.toFixed(0)} ms: ${JSON.stringify(shown)}; ${statusLine}`;
}

async function pageScreenshot(ctx) {
  const { page, args } = ctx;
  const file = args.screenshot || path.join(ctx.profile, 'status-page.png');
  const bytes = await page.screenshot({ path: file, fullPage: true, type: 'png' });
  const png = PNG.sync.read(Buffer.from(bytes));
  const colours = distinctColours(png);
  check(png.width >= 800 && png.height >= 400, `screenshot ${png.width}x${png.height}`);
  check(colours >= 16, `only ${colours} distinct colours: the page looks blank`);
  return `${file}: ${png.width}x${png.height}, ${colours} distinct colours`;
}

const CASES = [
  ['page_lists_info', pageListsInfo],
  ['page_import_progress', pageImport],
  ['page_reload_reattaches', pageReloadReattaches],
  ['page_tokens', pageTokens],
  ['page_screenshot', pageScreenshot],
];

// --- Main -----------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.harness) {
    startStdin();
  }
  // A profile of its own, removed at the end; --no-sandbox because the tests run as root.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'streamgrpc-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
    defaultViewport: { width: 1280, height: 900 },
  });
  let failed = 0;
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    const ctx = { args, page, profile };
    for (const [name, run] of CASES) {
      const started = Date.now();
      try {
        const detail = await run(ctx);
        check(consoleErrors.length === 0, `script errors on the page: ${consoleErrors.join('; ')}`);
        emit({ peer: PEER, case: name, passed: true, detail, ms: Date.now() - started });
      } catch (error) {
        failed++;
        const detail = error instanceof CaseFailure ? error.message : `${error && error.stack ? error.stack : error}`;
        emit({ peer: PEER, case: name, passed: false, detail, ms: Date.now() - started });
      }
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  emit({ peer: PEER, case: '(run)', passed: false, detail: `${error && error.stack ? error.stack : error}` });
  process.exit(2);
});
