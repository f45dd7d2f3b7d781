#!/usr/bin/env node
// The gRPC interop test cases (doc/interop-test-descriptions.md) as a client on @grpc/grpc-js,
// pointed at any TestService server.
//
// Usage: node interop_client.js --server_host H --server_port P --test_case NAME[,NAME...|all]
// Several cases run in one process (start-up dominates otherwise); each prints one line
//   RESULT <case> PASS
//   RESULT <case> FAIL <reason>
// and the exit code is 0 only when every case passed.
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// Upper bound of every call that is not about deadlines, so a hung server fails the case
// instead of hanging the run.
const CALL_TIMEOUT_MS = 20000;
const SPECIAL_STATUS_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \u{1f608}\t\n';
const ECHO_INITIAL_KEY = 'x-grpc-test-echo-initial';
const ECHO_INITIAL_VALUE = 'test_initial_metadata_value';
const ECHO_TRAILING_KEY = 'x-grpc-test-echo-trailing-bin';
const ECHO_TRAILING_VALUE = Buffer.from([0xab, 0xab, 0xab]);
// grpc-js compression algorithm ids (compression-algorithms.ts): 0 identity, 1 deflate, 2 gzip.
const GZIP = 2;

class CaseFailure extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new CaseFailure(message);
  }
}

function zeros(size) {
  return { body: Buffer.alloc(size) };
}

function deadline(ms = CALL_TIMEOUT_MS) {
  return new Date(Date.now() + ms);
}

function loadTesting() {
  const definition = protoLoader.loadSync('grpc/testing/test.proto', {
    includeDirs: [path.join(__dirname, '..', 'protos')],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition).grpc.testing;
}

function unary(client, method, request, options = {}, metadata = new grpc.Metadata()) {
  return new Promise((resolve, reject) => {
    const result = {};
    const call = client[method](request, metadata, { deadline: deadline(), ...options }, (error, response) => {
      if (error) {
        reject(error);
      } else {
        result.response = response;
      }
    });
    call.on('metadata', (headers) => { result.headers = headers; });
    call.on('status', (status) => {
      result.status = status;
      if (status.code === grpc.status.OK) {
        resolve(result);
      }
    });
  });
}

// Reads a response stream to its end: resolves {responses, headers, status} or rejects with the
// error of a non-OK status.
function collect(call) {
  return new Promise((resolve, reject) => {
    const result = { responses: [] };
    call.on('data', (message) => result.responses.push(message));
    call.on('metadata', (headers) => { result.headers = headers; });
    call.on('error', reject);
    call.on('status', (status) => {
      result.status = status;
      if (status.code === grpc.status.OK) {
        resolve(result);
      }
    });
  });
}

// Resolves with the next message of a response stream.
function nextMessage(call) {
  return new Promise((resolve, reject) => {
    const onData = (message) => { cleanup(); resolve(message); };
    const onError = (error) => { cleanup(); reject(error); };
    const onEnd = () => { cleanup(); reject(new CaseFailure('stream ended before a message arrived')); };
    function cleanup() {
      call.removeListener('data', onData);
      call.removeListener('error', onError);
      call.removeListener('end', onEnd);
      call.pause();
    }
    call.on('data', onData);
    call.on('error', onError);
    call.on('end', onEnd);
    call.resume();
  });
}

function waitForError(call) {
  return new Promise((resolve, reject) => {
    call.on('data', () => {});
    call.on('error', resolve);
    call.on('status', (status) => {
      if (status.code === grpc.status.OK) {
        reject(new CaseFailure('call ended OK'));
      }
    });
  });
}

async function expectError(code, promise, what) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CaseFailure) {
      throw error;
    }
    check(error.code === code, `${what}: expected status ${code}, got ${error.code}: ${error.details}`);
    return error;
  }
  throw new CaseFailure(`${what}: expected status ${code}, but the call succeeded`);
}

function echoMetadata() {
  const metadata = new grpc.Metadata();
  metadata.add(ECHO_INITIAL_KEY, ECHO_INITIAL_VALUE);
  metadata.add(ECHO_TRAILING_KEY, ECHO_TRAILING_VALUE);
  return metadata;
}

function checkEchoed(headers, trailers, what) {
  const initial = headers ? headers.get(ECHO_INITIAL_KEY) : [];
  check(initial.length === 1 && initial[0] === ECHO_INITIAL_VALUE, `${what}: initial metadata ${JSON.stringify(initial)}`);
  const trailing = trailers ? trailers.get(ECHO_TRAILING_KEY) : [];
  check(trailing.length === 1 && Buffer.isBuffer(trailing[0]) && trailing[0].equals(ECHO_TRAILING_VALUE),
    `${what}: trailing metadata ${JSON.stringify(trailing)}`);
}

const cases = {
  async empty_unary({ client }) {
    const { response } = await unary(client, 'EmptyCall', {});
    check(response !== null && response !== undefined, 'response is null');
  },

  async large_unary({ client }) {
    const { response } = await unary(client, 'UnaryCall', { response_size: 314159, payload: zeros(271828) });
    check(response.payload.body.length === 314159, `response body is ${response.payload.body.length} bytes`);
    check(response.payload.body.equals(Buffer.alloc(314159)), 'response body is not all zeros');
  },

  async client_streaming({ client }) {
    const response = await new Promise((resolve, reject) => {
      const call = client.StreamingInputCall({ deadline: deadline() }, (error, r) => (error ? reject(error) : resolve(r)));
      for (const size of [27182, 8, 1828, 45904]) {
        call.write({ payload: zeros(size) });
      }
      call.end();
    });
    check(response.aggregated_payload_size === 74922, `aggregated_payload_size is ${response.aggregated_payload_size}`);
  },

  async server_streaming({ client }) {
    const sizes = [31415, 9, 2653, 58979];
    const call = client.StreamingOutputCall(
      { response_parameters: sizes.map((size) => ({ size })) }, { deadline: deadline() });
    const { responses } = await collect(call);
    const got = responses.map((r) => r.payload.body.length);
    check(JSON.stringify(got) === JSON.stringify(sizes), `response sizes ${got}`);
  },

  async ping_pong({ client }) {
    const requestSizes = [27182, 8, 1828, 45904];
    const responseSizes = [31415, 9, 2653, 58979];
    const call = client.FullDuplexCall({ deadline: deadline() });
    call.pause();
    for (let i = 0; i < requestSizes.length; i++) {
      call.write({ response_parameters: [{ size: responseSizes[i] }], payload: zeros(requestSizes[i]) });
      const response = await nextMessage(call);
      check(response.payload.body.length === responseSizes[i],
        `response ${i}: ${response.payload.body.length} bytes, expected ${responseSizes[i]}`);
    }
    call.end();
    const { responses } = await collect(call);
    check(responses.length === 0, `${responses.length} responses after the last one`);
  },

  async empty_stream({ client }) {
    const call = client.FullDuplexCall({ deadline: deadline() });
    call.end();
    const { responses } = await collect(call);
    check(responses.length === 0, `${responses.length} responses`);
  },

  async cancel_after_begin({ client }) {
    const done = new Promise((resolve, reject) => {
      const call = client.StreamingInputCall({ deadline: deadline() }, (error) => (error ? resolve(error) : reject(new CaseFailure('call succeeded'))));
      call.cancel();
    });
    const error = await done;
    check(error.code === grpc.status.CANCELLED, `status ${error.code}`);
  },

  async cancel_after_first_response({ client }) {
    const call = client.FullDuplexCall({ deadline: deadline() });
    call.pause();
    call.write({ response_parameters: [{ size: 31415 }], payload: zeros(27182) });
    const response = await nextMessage(call);
    check(response.payload.body.length === 31415, `first response ${response.payload.body.length} bytes`);
    const error = waitForError(call);
    call.cancel();
    check((await error).code === grpc.status.CANCELLED, 'status is not CANCELLED');
  },

  async timeout_on_sleeping_server({ client }) {
    const call = client.FullDuplexCall({ deadline: deadline(1) });
    const error = waitForError(call);
    call.write({ payload: zeros(27182) });
    const e = await error;
    check(e.code === grpc.status.DEADLINE_EXCEEDED, `status ${e.code}: ${e.details}`);
  },

  async status_code_and_message({ client }) {
    const message = 'test status message';
    const response_status = { code: 2, message };
    const e1 = await expectError(grpc.status.UNKNOWN, unary(client, 'UnaryCall', { response_status }), 'UnaryCall');
    check(e1.details === message, `UnaryCall details ${JSON.stringify(e1.details)}`);
    const call = client.FullDuplexCall({ deadline: deadline() });
    call.write({ response_status });
    call.end();
    const e2 = await expectError(grpc.status.UNKNOWN, collect(call), 'FullDuplexCall');
    check(e2.details === message, `FullDuplexCall details ${JSON.stringify(e2.details)}`);
  },

  async special_status_message({ client }) {
    const response_status = { code: 2, message: SPECIAL_STATUS_MESSAGE };
    const e = await expectError(grpc.status.UNKNOWN, unary(client, 'UnaryCall', { response_status }), 'UnaryCall');
    check(e.details === SPECIAL_STATUS_MESSAGE, `details ${JSON.stringify(e.details)}`);
  },

  async unimplemented_method({ client }) {
    await expectError(grpc.status.UNIMPLEMENTED, unary(client, 'UnimplementedCall', {}), 'UnimplementedCall');
  },

  async unimplemented_service({ unimplementedClient }) {
    await expectError(grpc.status.UNIMPLEMENTED, unary(unimplementedClient, 'UnimplementedCall', {}), 'UnimplementedService');
  },

  async custom_metadata({ client }) {
    const unaryResult = await unary(client, 'UnaryCall',
      { response_size: 314159, payload: zeros(271828) }, {}, echoMetadata());
    check(unaryResult.response.payload.body.length === 314159, 'UnaryCall response size');
    checkEchoed(unaryResult.headers, unaryResult.status.metadata, 'UnaryCall');

    const call = client.FullDuplexCall(echoMetadata(), { deadline: deadline() });
    call.write({ response_parameters: [{ size: 314159 }], payload: zeros(271828) });
    call.end();
    const duplex = await collect(call);
    const sizes = duplex.responses.map((r) => r.payload.body.length);
    check(sizes.length === 1 && sizes[0] === 314159, `FullDuplexCall response sizes ${sizes}`);
    checkEchoed(duplex.headers, duplex.status.metadata, 'FullDuplexCall');
  },

  // grpc-js compresses per channel ('grpc.default_compression_algorithm'), not per call, so the
  // compressed request goes through a second client whose channel compresses with gzip.
  async client_compressed_unary({ client, gzipClient }) {
    const request = (expect) => ({ expect_compressed: { value: expect }, response_size: 314159, payload: zeros(271828) });
    await expectError(grpc.status.INVALID_ARGUMENT, unary(client, 'UnaryCall', request(true)), 'probe');
    const compressed = await unary(gzipClient, 'UnaryCall', request(true));
    check(compressed.response.payload.body.length === 314159, 'compressed call: response size');
    const plain = await unary(client, 'UnaryCall', request(false));
    check(plain.response.payload.body.length === 314159, 'uncompressed call: response size');
  },

  // grpc-js does not expose per-message compression flags; sizes and contents are checked.
  async server_compressed_streaming({ client }) {
    const call = client.StreamingOutputCall({
      response_parameters: [
        { size: 31415, compressed: { value: true } },
        { size: 92653, compressed: { value: false } },
      ],
    }, { deadline: deadline() });
    const { responses } = await collect(call);
    const sizes = responses.map((r) => r.payload.body.length);
    check(sizes.length === 2 && sizes[0] === 31415 && sizes[1] === 92653, `response sizes ${sizes}`);
    check(responses.every((r) => r.payload.body.equals(Buffer.alloc(r.payload.body.length))), 'bodies not zeros');
  },
};

function parseArgs(argv) {
  const args = { server_host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      throw new Error(`unexpected argument ${arg}`);
    }
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      args[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else {
      args[arg.slice(2)] = argv[++i];
    }
  }
  return args;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new CaseFailure(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.server_port || !args.test_case) {
    console.error('usage: interop_client.js --server_host H --server_port P --test_case NAME[,NAME...|all]');
    return 2;
  }
  const names = args.test_case === 'all' ? Object.keys(cases) : args.test_case.split(',');
  const unknown = names.filter((n) => !(n in cases));
  if (unknown.length > 0) {
    console.error(`unknown test case(s): ${unknown.join(', ')}`);
    return 2;
  }

  const testing = loadTesting();
  const target = `${args.server_host}:${args.server_port}`;
  const credentials = grpc.credentials.createInsecure();
  const context = {
    client: new testing.TestService(target, credentials),
    gzipClient: new testing.TestService(target, credentials, { 'grpc.default_compression_algorithm': GZIP }),
    unimplementedClient: new testing.UnimplementedService(target, credentials),
  };

  let failed = 0;
  for (const name of names) {
    try {
      await withTimeout(cases[name](context), CALL_TIMEOUT_MS + 5000, name);
      console.log(`RESULT ${name} PASS`);
    } catch (error) {
      failed++;
      const reason = error instanceof CaseFailure ? error.message : `${error.code !== undefined ? `status ${error.code}: ` : ''}${error.details || error.stack || error}`;
      console.log(`RESULT ${name} FAIL ${String(reason).replace(/\n/g, ' | ')}`);
    }
  }
  for (const c of Object.values(context)) {
    c.close();
  }
  return failed > 0 ? 1 : 0;
}

// Exit explicitly: grpc-js can keep a deadline timer of a call cancelled before it started
// (cancel_after_begin) referenced until the deadline passes. stdout to a pipe or file is
// written synchronously on Linux, so no RESULT line is lost.
main().then((code) => process.exit(code), (error) => {
  console.error(error);
  process.exit(2);
});
