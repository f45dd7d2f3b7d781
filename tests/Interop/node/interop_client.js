#!/usr/bin/env node
// StreamGrpc's public services called from @grpc/grpc-js (Node).
//
// Runs the interop cases of docs/interop.md against a running StreamService (e.g. ./run.sh) and
// prints one JSON line per case:
//   {"peer":"node-grpc-js","case":"rows_resume","passed":true,"detail":"...","ms":123}
//
// Usage: node interop_client.js [--address 127.0.0.1:5000] [--cases all|a,b,...]
//          [--files-root demo] [--import-path people.csv] [--import-table people] [--harness]
// Exit code 0 only when every case that ran passed.
//
// Stubs come from protos/streamgrpc/v1/*.proto at run time through @grpc/proto-loader; nothing
// generated is checked in. --harness: at the two points of rows_cancel where the database matters
// the client prints {"sync":"<point>","case":"rows_cancel"} and waits for one JSON line on stdin,
// {"sync":"<point>","ok":true|false,"detail":"..."} (see tests/StreamGrpc.Interop.Tests).
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PEER = 'node-grpc-js';
// Upper bound of every call that is not about deadlines, so a hung server fails the case instead
// of hanging the run.
const CALL_TIMEOUT_MS = 30000;
const SYNC_TIMEOUT_MS = 60000;

const INTEROP_PROTOS = path.resolve(__dirname, '..', 'protos');
const REPO_PROTOS = path.resolve(__dirname, '..', '..', '..', 'protos');
const CONTRACTS_DIR = path.join(REPO_PROTOS, 'streamgrpc', 'v1');
// google/api/annotations.proto and http.proto, which the contracts import for their HTTP/JSON
// routes: the harness passes the Google.Api.CommonProtos NuGet package's content/protos.
const GOOGLE_API_PROTOS = process.env.STREAMGRPC_GOOGLE_API_PROTOS || '';
const HEALTH_PROTO = 'grpc/health/v1/health.proto';
const REFLECTION_PROTOS = ['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'];
const HEALTH = 'grpc.health.v1.Health';

// scripts/demo-files.sh: app.log line i has level LEVELS[i*7 % 6] and area AREAS[i*3 % 5].
const LEVELS = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'];
const AREAS = ['orders', 'payments', 'users', 'inventory', 'shipping'];
// scripts/seed-events.sql: events.category of row i.
const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

// keepCase: field names as in the .proto; longs as Number (every int64 here is far below 2^53);
// oneofs: a virtual property naming the member that is set (message.kind === 'schema').
const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

class CaseFailure extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new CaseFailure(message);
  }
}

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function deadline(ms = CALL_TIMEOUT_MS) {
  return new Date(Date.now() + ms);
}

// --- Contracts ------------------------------------------------------------------------------------

/** The public contracts, as import paths ("streamgrpc/v1/rows.proto"), and the service each defines. */
function contractFiles() {
  const files = fs.readdirSync(CONTRACTS_DIR).filter((f) => f.endsWith('.proto')).sort()
    .map((f) => `streamgrpc/v1/${f}`);
  check(files.length > 0, `no .proto files under ${CONTRACTS_DIR}`);
  const serviceFiles = new Map();
  for (const file of files) {
    const text = fs.readFileSync(path.join(REPO_PROTOS, file), 'utf8');
    const pkg = /^package\s+([\w.]+)\s*;/m.exec(text)[1];
    for (const match of text.matchAll(/^service\s+(\w+)\s*\{/gm)) {
      serviceFiles.set(`${pkg}.${match[1]}`, file);
    }
  }
  return { files, serviceFiles };
}

function googleApiProtos() {
  check(fs.existsSync(path.join(GOOGLE_API_PROTOS, 'google', 'api', 'annotations.proto')),
    `STREAMGRPC_GOOGLE_API_PROTOS must name a folder with google/api/annotations.proto; got '${GOOGLE_API_PROTOS}'`);
  return GOOGLE_API_PROTOS;
}

function loadContracts() {
  const { files, serviceFiles } = contractFiles();
  const definition = protoLoader.loadSync([...files, HEALTH_PROTO, ...REFLECTION_PROTOS], {
    ...LOADER_OPTIONS,
    includeDirs: [INTEROP_PROTOS, REPO_PROTOS, googleApiProtos()],
  });
  return { definition, services: grpc.loadPackageDefinition(definition), serviceFiles };
}

function lookup(root, fullName) {
  return fullName.split('.').reduce((node, part) => node[part], root);
}

// --- A response stream read one message at a time -------------------------------------------------

/** Reads a server stream message by message; while nothing is asked for, the stream is paused,
 * so grpc-js stops reading and HTTP/2 flow control holds the server's writer. */
class StreamReader {
  constructor(call) {
    this.call = call;
    this.queue = [];
    this.ended = false;
    this.error = null;
    this.wake = null;
    call.pause();
    call.on('data', (message) => { this.queue.push(message); call.pause(); this.notify(); });
    call.on('error', (error) => { this.error = error; this.notify(); });
    call.on('end', () => { this.ended = true; this.notify(); });
  }

  notify() {
    if (this.wake) {
      const wake = this.wake;
      this.wake = null;
      wake();
    }
  }

  /** The next message, or null at the end of the stream; rejects with the call's error. */
  async next() {
    for (;;) {
      if (this.queue.length > 0) {
        return this.queue.shift();
      }
      if (this.error) {
        throw this.error;
      }
      if (this.ended) {
        return null;
      }
      const woken = new Promise((resolve) => { this.wake = resolve; });
      this.call.resume();
      await woken;
    }
  }

  async all() {
    const messages = [];
    for (let m = await this.next(); m !== null; m = await this.next()) {
      messages.push(m);
    }
    return messages;
  }

  /** Cancels the call and returns the error it ends with (CANCELLED expected). */
  async cancel() {
    this.call.cancel();
    try {
      while ((await this.next()) !== null) { /* drain what was buffered */ }
      return null;
    } catch (error) {
      return error;
    }
  }
}

function unary(client, method, request, options = {}) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: deadline(), ...options }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

function codeName(code) {
  return Object.keys(grpc.status).find((k) => grpc.status[k] === code) || String(code);
}

// --- Harness sync points --------------------------------------------------------------------------

class Harness {
  constructor(enabled) {
    this.enabled = enabled;
    this.lines = [];
    this.waiter = null;
    if (enabled) {
      const rl = readline.createInterface({ input: process.stdin });
      rl.on('line', (line) => { this.lines.push(line); this.notify(); });
      rl.on('close', () => { this.closed = true; this.notify(); });
    }
  }

  notify() {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w();
    }
  }

  async nextLine(timeoutMs) {
    const until = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      check(!this.closed, 'the harness closed stdin');
      const left = until - Date.now();
      check(left > 0, `no answer from the harness within ${timeoutMs} ms`);
      let timer;
      await new Promise((resolve) => { this.waiter = resolve; timer = setTimeout(resolve, left); });
      clearTimeout(timer);
    }
    return this.lines.shift();
  }

  async sync(caseName, point) {
    if (!this.enabled) {
      return { ok: true, detail: `${point}: not checked (no --harness)` };
    }
    emit({ sync: point, case: caseName });
    const answer = JSON.parse(await this.nextLine(SYNC_TIMEOUT_MS));
    check(answer.sync === point, `${point}: the harness answered ${JSON.stringify(answer)}`);
    return { ok: Boolean(answer.ok), detail: `${point}: ${answer.detail || ''}` };
  }
}

// --- Reflection -----------------------------------------------------------------------------------

// Just enough of the protobuf wire format to read a FileDescriptorProto's name (1), package (2),
// dependencies (3) and service names (6 -> 1); everything else is handed to proto-loader whole.
function readVarint(buffer, state) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = buffer[state.pos++];
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      return result;
    }
    shift += 7;
  }
}

function readFields(buffer) {
  const fields = [];
  const state = { pos: 0 };
  while (state.pos < buffer.length) {
    const key = readVarint(buffer, state);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) {
      fields.push({ number, value: readVarint(buffer, state) });
    } else if (wireType === 2) {
      const length = readVarint(buffer, state);
      fields.push({ number, value: buffer.subarray(state.pos, state.pos + length) });
      state.pos += length;
    } else if (wireType === 1) {
      state.pos += 8;
    } else if (wireType === 5) {
      state.pos += 4;
    } else {
      throw new CaseFailure(`unexpected wire type ${wireType} in a FileDescriptorProto`);
    }
  }
  return fields;
}

function fileSummary(bytes) {
  const fields = readFields(bytes);
  const text = (f) => f.value.toString('utf8');
  return {
    bytes,
    name: fields.filter((f) => f.number === 1).map(text)[0] || '',
    package: fields.filter((f) => f.number === 2).map(text)[0] || '',
    dependency: fields.filter((f) => f.number === 3).map(text),
    services: fields.filter((f) => f.number === 6).map((s) => readFields(s.value).filter((f) => f.number === 1).map(text)[0]),
  };
}

/** A FileDescriptorSet (field 1: repeated FileDescriptorProto) made of serialized files. */
function fileDescriptorSet(files) {
  const parts = [];
  for (const f of files) {
    const header = [0x0a];
    let length = f.bytes.length;
    while (length >= 0x80) {
      header.push((length & 0x7f) | 0x80);
      length = Math.floor(length / 0x80);
    }
    header.push(length);
    parts.push(Buffer.from(header), f.bytes);
  }
  return Buffer.concat(parts);
}

class Reflection {
  constructor(ctx, version) {
    const Service = lookup(ctx.contracts.services, `grpc.reflection.${version}.ServerReflection`);
    this.client = new Service(ctx.address, grpc.credentials.createInsecure());
  }

  close() {
    this.client.close();
  }

  ask(request) {
    return new Promise((resolve, reject) => {
      const call = this.client.ServerReflectionInfo({ deadline: deadline() });
      const responses = [];
      call.on('data', (r) => responses.push(r));
      call.on('error', reject);
      call.on('end', () => {
        try {
          check(responses.length === 1, `${responses.length} responses to one request`);
          const response = responses[0];
          if (response.message_response === 'error_response') {
            throw new CaseFailure(`${JSON.stringify(request)}: error ${response.error_response.error_code} ${response.error_response.error_message}`);
          }
          resolve(response);
        } catch (error) {
          reject(error);
        }
      });
      call.write(request);
      call.end();
    });
  }

  async files(request) {
    const response = await this.ask(request);
    check(response.message_response === 'file_descriptor_response',
      `${JSON.stringify(request)}: expected file_descriptor_response, got ${response.message_response}`);
    return response.file_descriptor_response.file_descriptor_proto.map(fileSummary);
  }

  /** The file defining `symbol` and all it imports, asking file_by_filename for whatever
   * file_containing_symbol left out (as grpcurl does). */
  async closure(symbol) {
    const first = await this.files({ file_containing_symbol: symbol });
    check(first.length > 0, `${symbol}: no file came back`);
    const found = new Map();
    const pending = [];
    for (const f of first) {
      if (!found.has(f.name)) {
        found.set(f.name, f);
      }
      pending.push(...f.dependency);
    }
    while (pending.length > 0) {
      const name = pending.pop();
      if (found.has(name)) {
        continue;
      }
      for (const f of await this.files({ file_by_filename: name })) {
        if (!found.has(f.name)) {
          found.set(f.name, f);
        }
        pending.push(...f.dependency);
      }
    }
    return { first: first[0], files: found };
  }
}

function fieldsOf(messageDefinition) {
  return (messageDefinition.type.field || []).map((f) => [f.name, f.number, f.label, f.type, f.typeName || ''].join(' '));
}

/** A service's methods as proto-loader describes them: path, streaming flags, and the fields of
 * the request and response messages. */
function shapeOf(serviceDefinition) {
  return Object.keys(serviceDefinition).sort().map((name) => {
    const m = serviceDefinition[name];
    return {
      method: `${m.path} ${m.requestStream ? 'stream ' : ''}${m.requestType.type.name} -> ${m.responseStream ? 'stream ' : ''}${m.responseType.type.name}`,
      request: fieldsOf(m.requestType),
      response: fieldsOf(m.responseType),
    };
  });
}

async function reflectionList(ctx, version) {
  const reflection = new Reflection(ctx, version);
  try {
    const response = await reflection.ask({ list_services: '*' });
    check(response.message_response === 'list_services_response', `expected list_services_response, got ${response.message_response}`);
    const names = response.list_services_response.service.map((s) => s.name).sort();
    const expected = [...ctx.contracts.serviceFiles.keys(), HEALTH];
    const missing = expected.filter((n) => !names.includes(n));
    check(missing.length === 0, `services ${names} lack ${missing}`);
    return `${names.length} services: ${names.join(', ')}`;
  } finally {
    reflection.close();
  }
}

async function reflectionDescribe(ctx, version) {
  const reflection = new Reflection(ctx, version);
  try {
    const described = [];
    for (const [serviceName, localFile] of ctx.contracts.serviceFiles) {
      const { first, files } = await reflection.closure(serviceName);
      check(first.name === localFile, `${serviceName}: defined in ${first.name}, expected ${localFile}`);
      check(first.services.includes(serviceName.split('.').pop()), `${first.name} does not define ${serviceName}`);
      for (const f of files.values()) {
        for (const d of f.dependency) {
          check(files.has(d), `${f.name} imports ${d}, which did not come back`);
        }
      }
      const remote = protoLoader.loadFileDescriptorSetFromBuffer(fileDescriptorSet([...files.values()]), LOADER_OPTIONS);
      check(remote[serviceName], `the reflected files do not load a service ${serviceName}`);
      const remoteShape = JSON.stringify(shapeOf(remote[serviceName]));
      const localShape = JSON.stringify(shapeOf(ctx.contracts.definition[serviceName]));
      check(remoteShape === localShape, `${serviceName}: reflected ${remoteShape}, expected ${localShape}`);
      described.push(`${serviceName} (${Object.keys(remote[serviceName]).join(', ')}; ${files.size} files)`);
    }
    return described.join('; ');
  } finally {
    reflection.close();
  }
}

// --- Health ---------------------------------------------------------------------------------------

async function healthCheckServer(ctx) {
  const response = await unary(ctx.health, 'Check', { service: '' });
  check(response.status === 'SERVING', `'' is ${response.status}`);
  return "'' SERVING";
}

async function healthCheckServices(ctx) {
  const results = [];
  const failures = [];
  for (const name of ctx.contracts.serviceFiles.keys()) {
    let status;
    try {
      status = (await unary(ctx.health, 'Check', { service: name })).status;
    } catch (error) {
      status = `${codeName(error.code)} (${error.details})`;
    }
    results.push(`${name} ${status}`);
    if (status !== 'SERVING') {
      failures.push(`${name} is ${status}`);
    }
  }
  check(failures.length === 0, failures.join('; '));
  return results.join(', ');
}

async function healthWatch(ctx) {
  const reader = new StreamReader(ctx.health.Watch({ service: '' }, { deadline: deadline() }));
  const first = await reader.next();
  await reader.cancel();
  check(first && first.status === 'SERVING', `first status ${first && first.status}`);
  return "Watch('') -> SERVING first, then cancelled";
}

// --- Rows -----------------------------------------------------------------------------------------

function valueOf(value) {
  return !value.kind || value.kind === 'null_value' ? null : value[value.kind];
}

async function rowsResume(ctx) {
  const query = { dataset: 'events', columns: ['id', 'category'], limit: 5000, batch_size: 1000 };
  const firstIds = [];
  let token = '';
  const call = new StreamReader(ctx.rows.StreamRows(query, { deadline: deadline() }));
  const schema = await call.next();
  check(schema && schema.kind === 'schema', `first message is ${schema && schema.kind}`);
  const columns = schema.schema.columns.map((c) => c.name);
  check(JSON.stringify(columns) === '["id","category"]', `columns ${columns}`);
  check(JSON.stringify(schema.schema.key_columns) === '["id"]', `key columns ${schema.schema.key_columns}`);
  while (firstIds.length < 2000) {
    const message = await call.next();
    check(message && message.kind === 'batch', `got ${message && message.kind} after ${firstIds.length} rows`);
    firstIds.push(...message.batch.rows.map((r) => valueOf(r.values[0])));
    token = message.batch.resume_token;
  }
  await call.cancel();
  check(token, 'no resume token mid-way');
  check(firstIds.every((id, i) => id === i + 1), `first call ids ${firstIds.slice(0, 3)}...${firstIds.slice(-3)}`);

  const resumed = await new StreamReader(ctx.rows.StreamRows({ ...query, resume_token: token }, { deadline: deadline() })).all();
  const rows = resumed.filter((m) => m.kind === 'batch').flatMap((m) => m.batch.rows.map((r) => [valueOf(r.values[0]), valueOf(r.values[1])]));
  const ids = rows.map(([id]) => id);
  check(ids.length > 0 && ids[0] === firstIds[firstIds.length - 1] + 1, `resumed at id ${ids[0]} after ${firstIds[firstIds.length - 1]}`);
  const all = [...firstIds, ...ids];
  const repeated = all.length - new Set(all).size;
  check(repeated === 0, `${repeated} rows repeated`);
  check(all.length === 5000 && all.every((id, i) => id === i + 1), `ids ${all.length}: lost rows (limit 5000 across resumes)`);
  const wrong = rows.filter(([id, category]) => category !== CATEGORIES[id % 5]);
  check(wrong.length === 0, `category differs from the seed for ${JSON.stringify(wrong.slice(0, 3))}`);
  return `${firstIds.length} rows, cancelled, resumed at id ${ids[0]}: ${ids.length} more, 1..5000 once each`;
}

async function rowsCancel(ctx) {
  const caseName = 'rows_cancel';
  const call = new StreamReader(ctx.rows.StreamRows({ dataset: 'events', batch_size: 100 }, { deadline: deadline() }));
  const schema = await call.next();
  check(schema && schema.kind === 'schema', 'first message is not the schema');
  const batch = await call.next();
  check(batch && batch.kind === 'batch' && batch.batch.rows.length > 0, 'no first batch');
  // The client stops reading here: flow control holds the server's writer, and with it the query.
  const open = await ctx.harness.sync(caseName, 'rows_stream_open');
  const error = await call.cancel();
  const code = error ? codeName(error.code) : 'OK';
  check(code === 'CANCELLED', `status after cancel ${code}`);
  const gone = await ctx.harness.sync(caseName, 'rows_stream_cancelled');
  check(open.ok, open.detail);
  check(gone.ok, gone.detail);
  return `read ${batch.batch.rows.length} rows of 1000000, cancelled -> CANCELLED; ${open.detail}; ${gone.detail}`;
}

// --- Lines ----------------------------------------------------------------------------------------

async function linesFilter(ctx) {
  const request = {
    root: ctx.args.filesRoot,
    path: 'app.log',
    max_lines: 50,
    filters: [{ contains: { text: 'ERROR' } }, { not_contains: { text: 'payments' } }],
  };
  const batches = await new StreamReader(ctx.files.StreamLines(request, { deadline: deadline() })).all();
  const lines = batches.flatMap((b) => b.lines);
  const expected = [];
  for (let i = 1; expected.length < 50; i++) {
    if (LEVELS[(i * 7) % 6] === 'ERROR' && AREAS[(i * 3) % 5] !== 'payments') {
      expected.push(i);
    }
  }
  const numbers = lines.map((l) => l.line_number);
  check(JSON.stringify(numbers) === JSON.stringify(expected), `line numbers ${numbers.slice(0, 5)}..., expected ${expected.slice(0, 5)}...`);
  for (const line of lines) {
    check(line.text.includes(' ERROR ') && line.text.includes(` request ${line.line_number} took `) && !line.text.includes('payments'),
      `line ${line.line_number}: ${JSON.stringify(line.text)}`);
  }
  check(lines.every((l, i) => i === 0 || l.offset > lines[i - 1].offset), 'offsets not increasing');
  return `${lines.length} lines through contains(ERROR) + not_contains(payments), lines ${numbers[0]}..${numbers[numbers.length - 1]}`;
}

// --- Jobs -----------------------------------------------------------------------------------------

async function jobsImportWatch(ctx) {
  const request = {
    root: ctx.args.filesRoot,
    path: ctx.args.importPath,
    format: 'IMPORT_FORMAT_CSV',
    table: ctx.args.importTable,
    csv: { header: true },
  };
  const start = new StreamReader(ctx.jobs.StartImport(request, { deadline: deadline() }));
  const seen = [];
  while (seen.length < 2) {
    const event = await start.next();
    check(event, `StartImport ended after ${seen.length} events`);
    seen.push(event);
  }
  // Leaving the StartImport stream does not stop the job; Watch re-attaches.
  await start.cancel();
  check(seen[0].sequence === 1 && seen[0].kind === 'started', `first event ${JSON.stringify(seen[0])}`);
  check(seen[1].sequence === 2, `second event has sequence ${seen[1].sequence}`);
  const jobId = seen[0].job_id;
  const totalBytes = seen[0].started.total_bytes;

  const after = 2;
  const watched = await new StreamReader(ctx.jobs.Watch({ job_id: jobId, after_sequence: after }, { deadline: deadline() })).all();
  check(watched.length > 0, 'Watch streamed nothing');
  const sequences = watched.map((e) => e.sequence);
  check(sequences.every((s, i) => s === after + 1 + i), `sequences ${sequences} after ${after}`);
  check(watched.every((e) => e.job_id === jobId), 'an event of another job');
  const last = watched[watched.length - 1];
  check(last.kind === 'completed', `last event is ${last.kind}: ${JSON.stringify(last)}`);
  check(last.completed.rows_imported > 0 && last.completed.rows_rejected === 0, `completed ${JSON.stringify(last.completed)}`);
  check(last.completed.bytes_read === totalBytes, `read ${last.completed.bytes_read} of ${totalBytes} bytes`);
  return `job ${jobId}: StartImport 1..2, Watch after 2 -> ${sequences[0]}..${sequences[sequences.length - 1]}, completed ${last.completed.rows_imported} rows`;
}

// --- LLM ------------------------------------------------------------------------------------------

async function llmBuiltinTokens(ctx) {
  const prompt = 'interop tokens from grpc-js';
  const request = {
    model: 'builtin-echo',
    request_id: 'interop-node',
    messages: [{ role: 'COMPLETION_ROLE_USER', content: prompt }],
  };
  const chunks = await new StreamReader(ctx.llm.StreamCompletion(request, { deadline: deadline() })).all();
  check(chunks.length > 0 && chunks[chunks.length - 1].kind === 'summary', 'the stream does not end with a summary');
  const deltas = chunks.slice(0, -1);
  check(deltas.every((c) => c.kind === 'delta'), 'a summary before the last message');
  check(deltas.every((c, i) => c.delta.index === i), `indexes ${deltas.map((c) => c.delta.index)}`);
  const text = deltas.map((c) => c.delta.text).join('');
  check(text.split(/\s+/).filter(Boolean).join(' ') === prompt, `echoed ${JSON.stringify(text)}`);
  const { summary } = chunks[chunks.length - 1];
  check(summary.finish_reason === 'COMPLETION_FINISH_REASON_STOP', `finish reason ${summary.finish_reason}`);
  check(summary.usage.completion_tokens === deltas.length, `usage ${JSON.stringify(summary.usage)}`);
  check(summary.request_id === 'interop-node', `request id ${summary.request_id}`);
  return `${deltas.length} tokens ${JSON.stringify(text)}, then a STOP summary`;
}

// --- Deadline -------------------------------------------------------------------------------------

async function deadlineExceeded(ctx) {
  const deadlineMs = 1500;
  const started = Date.now();
  const call = new StreamReader(ctx.files.StreamLines({ root: ctx.args.filesRoot, path: 'sample.log', follow: true }, { deadline: deadline(deadlineMs) }));
  let lines = 0;
  let code = 'OK';
  try {
    for (let b = await call.next(); b !== null; b = await call.next()) {
      lines += b.lines.length;
    }
  } catch (error) {
    code = codeName(error.code);
  }
  const elapsed = (Date.now() - started) / 1000;
  check(code === 'DEADLINE_EXCEEDED', `status ${code}`);
  check(lines > 0, 'no lines before the deadline');
  check(elapsed >= (deadlineMs / 1000) * 0.9 && elapsed < deadlineMs / 1000 + 10, `ended after ${elapsed.toFixed(2)} s`);
  return `follow stream: ${lines} lines, then DEADLINE_EXCEEDED after ${elapsed.toFixed(2)} s (${deadlineMs / 1000} s deadline)`;
}

const CASES = {
  reflection_v1_list: (ctx) => reflectionList(ctx, 'v1'),
  reflection_v1_describe: (ctx) => reflectionDescribe(ctx, 'v1'),
  reflection_v1alpha_list: (ctx) => reflectionList(ctx, 'v1alpha'),
  reflection_v1alpha_describe: (ctx) => reflectionDescribe(ctx, 'v1alpha'),
  health_check_server: healthCheckServer,
  health_check_services: healthCheckServices,
  health_watch: healthWatch,
  rows_resume: rowsResume,
  lines_filter: linesFilter,
  jobs_import_watch: jobsImportWatch,
  llm_builtin_tokens: llmBuiltinTokens,
  rows_cancel: rowsCancel,
  deadline_exceeded: deadlineExceeded,
};

function parseArgs(argv) {
  const args = { address: '127.0.0.1:5000', cases: 'all', filesRoot: 'demo', importPath: 'people.csv', importTable: 'people', harness: false };
  const names = { '--address': 'address', '--cases': 'cases', '--files-root': 'filesRoot', '--import-path': 'importPath', '--import-table': 'importTable' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === '--harness') {
      args.harness = true;
    } else if (names[flag]) {
      args[names[flag]] = inline !== undefined ? inline : argv[++i];
    } else {
      process.stderr.write(`unknown argument ${argv[i]}\nusage: node interop_client.js [--address H:P] [--cases all|${Object.keys(CASES).join(',')}] [--files-root demo] [--import-path people.csv] [--import-table people] [--harness]\n`);
      process.exit(2);
    }
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const selected = args.cases === 'all' ? Object.keys(CASES) : args.cases.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = selected.filter((c) => !CASES[c]);
  if (unknown.length > 0) {
    process.stderr.write(`unknown cases ${unknown}\n`);
    process.exit(2);
  }

  const contracts = loadContracts();
  const client = (name) => new (lookup(contracts.services, name))(args.address, grpc.credentials.createInsecure());
  const ctx = {
    args,
    address: args.address,
    contracts,
    harness: new Harness(args.harness),
    rows: client('streamgrpc.v1.RowsService'),
    files: client('streamgrpc.v1.FileLines'),
    jobs: client('streamgrpc.v1.JobsService'),
    llm: client('streamgrpc.v1.LlmService'),
    health: client(HEALTH),
  };

  let failed = 0;
  const version = require('@grpc/grpc-js/package.json').version;
  for (const name of selected) {
    const started = Date.now();
    let passed = true;
    let detail;
    try {
      detail = await CASES[name](ctx);
    } catch (error) {
      passed = false;
      if (error instanceof CaseFailure) {
        detail = error.message;
      } else if (error && typeof error.code === 'number' && error.details !== undefined) {
        detail = `${codeName(error.code)}: ${error.details}`;
      } else {
        detail = (error && error.stack) || String(error);
      }
    }
    failed += passed ? 0 : 1;
    emit({ peer: PEER, version, case: name, passed, detail, ms: Date.now() - started });
  }
  for (const c of [ctx.rows, ctx.files, ctx.jobs, ctx.llm, ctx.health]) {
    c.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`${(error && error.stack) || error}\n`);
  process.exit(1);
});
