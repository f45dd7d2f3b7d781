#!/usr/bin/env node
// StreamGrpc's streams called over gRPC-Web from Node, by a third-party client: connect-node's
// gRPC-Web transport (application/grpc-web+proto over HTTP/1.1, as a browser sends it).
//
// Prints one JSON line per case, as tests/Interop/node/interop_client.js does:
//   {"peer":"connect-grpc-web","case":"web_rows_stream","passed":true,"detail":"...","ms":123}
//
// Usage: node grpc_web_client.mjs --url http://127.0.0.1:5080 [--cases all|a,b] [--harness]
// Exit code 0 only when every case that ran passed.
//
// connect's gRPC-Web transport speaks the binary format only, so the application/grpc-web-text
// cases send the same requests through Node's fetch: the messages are still encoded and decoded by
// @bufbuild/protobuf from the contracts, only the base64 framing of the -text format is written
// here (the gRPC-Web spec, PROTOCOL-WEB.md, "text" mode), because no maintained Node client sends it.
//
// The contracts are loaded at run time: protoc (Debian's, installed by scripts/install-peers.sh)
// compiles protos/streamgrpc/v1/*.proto into a FileDescriptorSet, from which @bufbuild/protobuf
// builds a registry and connect a client per service. Nothing generated is checked in.
//
// --harness: at the two points of web_rows_cancel where the database matters the client prints
// {"sync":"<point>","case":"web_rows_cancel"} and waits for one JSON line on stdin,
// {"sync":"<point>","ok":true|false,"detail":"..."} (see tests/StreamGrpc.Interop.Tests).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { create, createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcWebTransport } from '@connectrpc/connect-node';

const PEER = 'connect-grpc-web';
const CALL_TIMEOUT_MS = 30000;
const SYNC_TIMEOUT_MS = 60000;
const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..', '..');
const PROTOS = path.join(REPO, 'protos');

class CaseFailure extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new CaseFailure(message);
  }
}

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

// --- Contracts ------------------------------------------------------------------------------------

/** Folders protoc needs besides protos/: the well-known types (google/protobuf/*.proto) from
 * Debian's python3-grpc-tools, as the Python peer takes them, and google/api/*.proto (the contracts'
 * HTTP annotations) from STREAMGRPC_GOOGLE_API_PROTOS, which the test harness sets. */
function includePaths() {
  const dirs = [PROTOS, '/usr/lib/python3/dist-packages/grpc_tools/_proto'];
  if (process.env.STREAMGRPC_GOOGLE_API_PROTOS) {
    dirs.push(process.env.STREAMGRPC_GOOGLE_API_PROTOS);
  }
  return dirs;
}

function loadRegistry() {
  const dir = path.join(PROTOS, 'streamgrpc', 'v1');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.proto')).sort().map((f) => `streamgrpc/v1/${f}`);
  check(files.length > 0, `no .proto files under ${dir}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'streamgrpc-web-'));
  try {
    const out = path.join(work, 'contracts.binpb');
    execFileSync('/usr/bin/protoc', [...includePaths().map((d) => `-I${d}`), '--include_imports', `--descriptor_set_out=${out}`, ...files]);
    return createFileRegistry(fromBinary(FileDescriptorSetSchema, fs.readFileSync(out)));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// --- Harness --------------------------------------------------------------------------------------

class Harness {
  constructor(enabled) {
    this.enabled = enabled;
    this.pending = [];
    this.lines = [];
    if (enabled) {
      const rl = readline.createInterface({ input: process.stdin });
      rl.on('line', (line) => {
        const waiter = this.pending.shift();
        if (waiter) {
          waiter(line);
        } else {
          this.lines.push(line);
        }
      });
    }
  }

  /** Prints the sync point and waits for the harness's answer; without --harness, passes at once. */
  async sync(caseName, point) {
    if (!this.enabled) {
      return `${point} (no harness)`;
    }
    emit({ sync: point, case: caseName });
    const line = this.lines.length > 0 ? this.lines.shift() : await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CaseFailure(`no answer from the harness at ${point} within ${SYNC_TIMEOUT_MS} ms`)), SYNC_TIMEOUT_MS);
      this.pending.push((l) => { clearTimeout(timer); resolve(l); });
    });
    const answer = JSON.parse(line);
    check(answer.sync === point, `the harness answered ${answer.sync} at ${point}`);
    check(answer.ok, `harness at ${point}: ${answer.detail}`);
    return answer.detail;
  }
}

// --- gRPC-Web text mode over fetch ------------------------------------------------------------------

// A gRPC-Web frame (PROTOCOL-WEB.md): flags (1 byte: 0x00 message, 0x80 trailers) | length (4 bytes,
// big-endian) | payload. In text mode the body is base64 of the frames; a response may be several
// base64 chunks, each complete (padded), so it is decoded chunk by chunk at '=' boundaries.
function frame(flags, payload) {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flags;
  out.writeUInt32BE(payload.length, 1);
  Buffer.from(payload).copy(out, 5);
  return out;
}

/** Calls a server-streaming method in application/grpc-web-text; returns { messages, status, message, headers }. */
async function grpcWebTextCall(ctx, service, methodName, request) {
  const method = service.methods.find((m) => m.name === methodName);
  const body = frame(0, toBinary(method.input, create(method.input, request))).toString('base64');
  const response = await fetch(`${ctx.url}/${service.typeName}/${method.name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text', 'x-grpc-web': '1' },
    body,
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  check(response.status === 200, `HTTP ${response.status}`);
  check((response.headers.get('content-type') || '').startsWith('application/grpc-web-text'), `content-type ${response.headers.get('content-type')}`);
  const text = await response.text();
  let bytes = Buffer.alloc(0);
  for (const chunk of text.match(/[^=]+=*/g) || []) {
    bytes = Buffer.concat([bytes, Buffer.from(chunk, 'base64')]);
  }
  const messages = [];
  // Trailers-Only: the status came as headers.
  let trailers = { 'grpc-status': response.headers.get('grpc-status'), 'grpc-message': response.headers.get('grpc-message') };
  for (let at = 0; at < bytes.length;) {
    const flags = bytes[at];
    const length = bytes.readUInt32BE(at + 1);
    const payload = bytes.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if (flags & 0x80) {
      trailers = {};
      for (const line of payload.toString('utf8').split('\r\n').filter(Boolean)) {
        const colon = line.indexOf(':');
        trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    } else {
      messages.push(fromBinary(method.output, payload));
    }
  }
  return {
    messages,
    status: Number(trailers['grpc-status'] ?? -1),
    message: trailers['grpc-message'] ? decodeURIComponent(trailers['grpc-message']) : '',
  };
}

// --- Cases ----------------------------------------------------------------------------------------

function valueOf(value) {
  return value.kind.case === undefined || value.kind.case === 'nullValue' ? null : value.kind.value;
}

/** Checks a whole row stream: schema first, then batches of ids 1..limit in order, each with a resume token. */
function checkRowStream(messages, limit, batchSize) {
  check(messages.length > 0 && messages[0].kind.case === 'schema', `first message is ${messages[0] && messages[0].kind.case}`);
  const columns = messages[0].kind.value.columns.map((c) => c.name);
  check(JSON.stringify(columns) === '["id","category"]', `columns ${columns}`);
  const ids = [];
  const batches = messages.slice(1);
  for (const [i, m] of batches.entries()) {
    check(m.kind.case === 'batch', `message ${i + 1} is ${m.kind.case}`);
    check(m.kind.value.rows.length > 0 && m.kind.value.rows.length <= batchSize, `batch ${i} has ${m.kind.value.rows.length} rows`);
    check(m.kind.value.resumeToken.length > 0, `batch ${i} has no resume token`);
    ids.push(...m.kind.value.rows.map((r) => valueOf(r.values[0])));
  }
  check(ids.length === limit, `${ids.length} rows, expected ${limit}`);
  check(ids.every((id, i) => id === BigInt(i + 1)), `ids ${ids.slice(0, 3)}...${ids.slice(-3)}`);
  return `${batches.length} batches of <= ${batchSize}, ids 1..${limit} in order, a resume token on each`;
}

function checkTokens(chunks, prompt) {
  check(chunks.length > 1 && chunks[chunks.length - 1].kind.case === 'summary', 'the stream does not end with a summary');
  const deltas = chunks.slice(0, -1);
  check(deltas.every((c, i) => c.kind.case === 'delta' && c.kind.value.index === i), 'deltas out of order');
  const text = deltas.map((c) => c.kind.value.text).join('');
  check(text.split(/\s+/).filter(Boolean).join(' ') === prompt, `echoed ${JSON.stringify(text)}`);
  const summary = chunks[chunks.length - 1].kind.value;
  check(summary.finishReason === 1, `finish reason ${summary.finishReason}`);
  check(summary.usage.completionTokens === deltas.length, `usage ${summary.usage.completionTokens} of ${deltas.length}`);
  return `${deltas.length} tokens ${JSON.stringify(text)}, then a STOP summary`;
}

const ROWS_QUERY = { dataset: 'events', columns: ['id', 'category'], limit: 2500n, batchSize: 400 };
const PROMPT = 'tokens over grpc web';
const COMPLETION = (id) => ({ model: 'builtin-echo', requestId: id, messages: [{ role: 2, content: PROMPT }] });

async function collect(iterable) {
  const out = [];
  for await (const m of iterable) {
    out.push(m);
  }
  return out;
}

const CASES = {
  async web_rows_stream(ctx) {
    const messages = await collect(ctx.rows.streamRows(ROWS_QUERY, { timeoutMs: CALL_TIMEOUT_MS }));
    return checkRowStream(messages, 2500, 400);
  },

  async web_llm_tokens(ctx) {
    return checkTokens(await collect(ctx.llm.streamCompletion(COMPLETION('web-binary'), { timeoutMs: CALL_TIMEOUT_MS })), PROMPT);
  },

  async web_not_found(ctx) {
    try {
      await collect(ctx.rows.streamRows({ dataset: 'no_such_dataset' }, { timeoutMs: CALL_TIMEOUT_MS }));
    } catch (error) {
      const e = ConnectError.from(error);
      check(e.code === Code.NotFound, `code ${Code[e.code]} (${e.rawMessage})`);
      check(e.rawMessage.includes('no_such_dataset'), `message ${JSON.stringify(e.rawMessage)}`);
      return `NOT_FOUND: ${e.rawMessage}`;
    }
    throw new CaseFailure('the stream of an unknown dataset succeeded');
  },

  async web_rows_cancel(ctx) {
    // A stream of the whole table, read one batch, then left unread: the query must be running;
    // after the abort it must be gone from pg_stat_activity (the harness checks both).
    const abort = new AbortController();
    const stream = ctx.rows.streamRows({ dataset: 'events', batchSize: 100 }, { signal: abort.signal, timeoutMs: CALL_TIMEOUT_MS * 2 });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    check(!first.done && first.value.kind.case === 'schema', 'no schema first');
    const batch = await iterator.next();
    check(!batch.done && batch.value.kind.case === 'batch', 'no batch second');
    const open = await ctx.harness.sync('web_rows_cancel', 'rows_stream_open');
    abort.abort();
    let code = null;
    try {
      await iterator.next();
    } catch (error) {
      code = ConnectError.from(error).code;
    }
    check(code === Code.Canceled, `after the abort the stream ended with ${code === null ? 'no error' : Code[code]}`);
    const cancelled = await ctx.harness.sync('web_rows_cancel', 'rows_stream_cancelled');
    return `open: ${open}; cancelled: ${cancelled}`;
  },

  async web_text_rows_stream(ctx) {
    const result = await grpcWebTextCall(ctx, ctx.services.rows, 'StreamRows', ROWS_QUERY);
    check(result.status === 0, `status ${result.status} ${result.message}`);
    return checkRowStream(result.messages, 2500, 400) + ' (grpc-web-text)';
  },

  async web_text_llm_tokens(ctx) {
    const result = await grpcWebTextCall(ctx, ctx.services.llm, 'StreamCompletion', COMPLETION('web-text'));
    check(result.status === 0, `status ${result.status} ${result.message}`);
    return checkTokens(result.messages, PROMPT) + ' (grpc-web-text)';
  },

  async web_text_not_found(ctx) {
    const result = await grpcWebTextCall(ctx, ctx.services.rows, 'StreamRows', { dataset: 'no_such_dataset' });
    check(result.status === Code.NotFound, `status ${result.status} (${result.message})`);
    check(result.messages.length === 0, `${result.messages.length} messages before the error`);
    check(result.message.includes('no_such_dataset'), `message ${JSON.stringify(result.message)}`);
    return `NOT_FOUND: ${result.message} (grpc-web-text)`;
  },
};

// --- Main -----------------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { url: 'http://127.0.0.1:5080', cases: 'all', harness: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') args.url = argv[++i];
    else if (a === '--cases') args.cases = argv[++i];
    else if (a === '--harness') args.harness = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const registry = loadRegistry();
  const services = {
    rows: registry.getService('streamgrpc.v1.RowsService'),
    llm: registry.getService('streamgrpc.v1.LlmService'),
  };
  // httpVersion 1.1: the browser's view of a plaintext endpoint.
  const transport = createGrpcWebTransport({ baseUrl: args.url, httpVersion: '1.1' });
  const ctx = {
    url: args.url,
    services,
    rows: createClient(services.rows, transport),
    llm: createClient(services.llm, transport),
    harness: new Harness(args.harness),
  };
  const names = args.cases === 'all' ? Object.keys(CASES) : args.cases.split(',');
  let failed = 0;
  for (const name of names) {
    const started = Date.now();
    try {
      check(CASES[name], `unknown case ${name}`);
      const detail = await CASES[name](ctx);
      emit({ peer: PEER, case: name, passed: true, detail, ms: Date.now() - started });
    } catch (error) {
      failed++;
      const detail = error instanceof CaseFailure ? error.message : `${error && error.stack ? error.stack : error}`;
      emit({ peer: PEER, case: name, passed: false, detail, ms: Date.now() - started });
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  emit({ peer: PEER, case: '(run)', passed: false, detail: `${error && error.stack ? error.stack : error}` });
  process.exit(2);
});
