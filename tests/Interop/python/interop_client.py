#!/usr/bin/python3
"""StreamGrpc's public services called from grpcio (C-core, Debian's python3-grpcio).

Runs the interop cases of docs/interop.md against a running StreamService (e.g. ./run.sh) and
prints one JSON line per case:

  {"peer": "python-grpcio", "case": "rows_resume", "passed": true, "detail": "...", "ms": 123}

Usage: /usr/bin/python3 interop_client.py [--address 127.0.0.1:5000] [--cases all|a,b,...]
           [--files-root demo] [--import-path people.csv] [--import-table people] [--harness]
Exit code 0 only when every case that ran passed.

The message classes and stubs are built at run time from protos/streamgrpc/v1/*.proto (see
interop_protos.py); nothing generated is checked in.

--harness: the test harness (tests/StreamGrpc.Interop.Tests) watches the service's PostgreSQL
sessions. At the two points of rows_cancel where the database matters, the client prints
{"sync": "<point>", "case": "rows_cancel"} and waits for one JSON line on stdin,
{"sync": "<point>", "ok": true|false, "detail": "..."}, which becomes part of the case's result.
Without --harness the case checks only what a client sees.
"""

import argparse
import json
import select
import sys
import time
import traceback

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

from interop_protos import Contracts, status_name

PEER = "python-grpcio"
# Upper bound of every call that is not about deadlines, so a hung server fails the case instead
# of hanging the run.
CALL_TIMEOUT = 30.0
# How long the client waits for the harness's answer at a sync point.
SYNC_TIMEOUT = 60.0

HEALTH = "grpc.health.v1.Health"
REFLECTION_VERSIONS = ["v1", "v1alpha"]
# scripts/demo-files.sh: app.log line i has level ("INFO INFO INFO WARN ERROR DEBUG")[i*7 % 6] and
# area ("orders payments users inventory shipping")[i*3 % 5].
LEVELS = ["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"]
AREAS = ["orders", "payments", "users", "inventory", "shipping"]
# scripts/seed-events.sql: events.category of row i.
CATEGORIES = ["alpha", "beta", "gamma", "delta", "epsilon"]


class CaseFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailure(message)


def emit(line):
    print(json.dumps(line, ensure_ascii=False), flush=True)


class Context:
    def __init__(self, args, contracts, channel):
        self.args = args
        self.contracts = contracts
        self.channel = channel
        self.m = contracts.message
        self.rows = contracts.stub(channel, "streamgrpc.v1.RowsService")
        self.files = contracts.stub(channel, "streamgrpc.v1.FileLines")
        self.jobs = contracts.stub(channel, "streamgrpc.v1.JobsService")
        self.llm = contracts.stub(channel, "streamgrpc.v1.LlmService")
        self.health = contracts.stub(channel, HEALTH)

    def sync(self, case, point):
        """Asks the harness to check the database at this point; returns (ok, detail)."""
        if not self.args.harness:
            return True, f"{point}: not checked (no --harness)"
        emit({"sync": point, "case": case})
        ready, _, _ = select.select([sys.stdin], [], [], SYNC_TIMEOUT)
        check(ready, f"{point}: no answer from the harness within {SYNC_TIMEOUT} s")
        line = sys.stdin.readline()
        check(line, f"{point}: the harness closed stdin")
        answer = json.loads(line)
        check(answer.get("sync") == point, f"{point}: the harness answered {answer}")
        return bool(answer.get("ok")), f"{point}: {answer.get('detail', '')}"


# --- Reflection -----------------------------------------------------------------------------------

class Reflection:
    """grpc.reflection.<version>.ServerReflection: one ServerReflectionInfo stream per request."""

    def __init__(self, ctx, version):
        self.ctx = ctx
        self.version = version
        self.request = ctx.m(f"grpc.reflection.{version}.ServerReflectionRequest")
        self.stub = ctx.contracts.stub(ctx.channel, f"grpc.reflection.{version}.ServerReflection")

    def ask(self, **fields):
        request = self.request(**fields)
        responses = list(self.stub.ServerReflectionInfo(iter([request]), timeout=CALL_TIMEOUT))
        check(len(responses) == 1, f"{len(responses)} responses to one request")
        response = responses[0]
        # grpc-dotnet's reflection service (Grpc.Reflection) leaves original_request unset; clients
        # such as grpcurl do not read it. When a server sets it, it must be the request.
        check(not response.HasField("original_request") or response.original_request == request,
              "original_request does not echo the request")
        kind = response.WhichOneof("message_response")
        if kind == "error_response":
            raise CaseFailure(f"{fields}: error {response.error_response.error_code} "
                              f"{response.error_response.error_message}")
        return kind, response

    def files(self, **fields):
        kind, response = self.ask(**fields)
        check(kind == "file_descriptor_response", f"{fields}: expected file_descriptor_response, got {kind}")
        return [descriptor_pb2.FileDescriptorProto.FromString(b)
                for b in response.file_descriptor_response.file_descriptor_proto]

    def closure(self, symbol):
        """The file defining `symbol` and every file it imports, transitively, asking for
        file_by_filename whatever file_containing_symbol left out (as grpcurl does)."""
        found = {}
        first = self.files(file_containing_symbol=symbol)
        check(first, f"{symbol}: no file came back")
        for f in first:
            found.setdefault(f.name, f)
        pending = [d for f in first for d in f.dependency]
        while pending:
            name = pending.pop()
            if name in found:
                continue
            for f in self.files(file_by_filename=name):
                found.setdefault(f.name, f)
                pending.extend(f.dependency)
        return first[0], found


def fields_of(message_proto):
    return [(f.name, f.number, f.label, f.type, f.type_name.lstrip("."), f.proto3_optional)
            for f in message_proto.field]


def find_message(files, full_name):
    """The DescriptorProto of a (possibly nested) message among FileDescriptorProtos, or None."""
    for f in files.values():
        prefix = f.package + "." if f.package else ""
        if not full_name.startswith(prefix):
            continue
        candidates, message = f.message_type, None
        for part in full_name[len(prefix):].split("."):
            message = next((m for m in candidates if m.name == part), None)
            if message is None:
                break
            candidates = message.nested_type
        if message is not None:
            return message
    return None


def reflection_list(ctx, version):
    kind, response = Reflection(ctx, version).ask(list_services="*")
    check(kind == "list_services_response", f"expected list_services_response, got {kind}")
    names = sorted(s.name for s in response.list_services_response.service)
    expected = set(ctx.contracts.public_services()) | {HEALTH}
    missing = expected - set(names)
    check(not missing, f"services {names} lack {sorted(missing)}")
    return f"{len(names)} services: {', '.join(names)}"


def reflection_describe(ctx, version):
    reflection = Reflection(ctx, version)
    described = []
    for service_name in ctx.contracts.public_services():
        local_file, local_service = ctx.contracts.services[service_name]
        first, files = reflection.closure(service_name)
        check(first.name == local_file.name, f"{service_name}: defined in {first.name}, expected {local_file.name}")
        check(first.package == local_file.package, f"{service_name}: package {first.package}")
        remote_service = next((s for s in first.service if s.name == local_service.name), None)
        check(remote_service is not None, f"{first.name} does not define {service_name}")
        # The files must form a closed set that a descriptor pool accepts.
        pool = descriptor_pool.DescriptorPool()
        added = set()

        def add(name):
            if name in added:
                return
            check(name in files, f"{service_name}: import {name} did not come back")
            for dependency in files[name].dependency:
                add(dependency)
            pool.Add(files[name])
            added.add(name)

        add(first.name)
        pool.FindServiceByName(service_name)

        def shape(method):
            return (method.name, method.input_type.lstrip("."), method.output_type.lstrip("."),
                    method.client_streaming, method.server_streaming)

        local_methods = [shape(m) for m in local_service.method]
        remote_methods = [shape(m) for m in remote_service.method]
        check(remote_methods == local_methods, f"{service_name}: methods {remote_methods}, expected {local_methods}")
        for method in local_service.method:
            for type_name in (method.input_type.lstrip("."), method.output_type.lstrip(".")):
                local_message = find_message(ctx.contracts.files_by_name, type_name)
                remote_message = find_message(files, type_name)
                check(remote_message is not None, f"{service_name}: {type_name} is not described")
                check(fields_of(remote_message) == fields_of(local_message),
                      f"{type_name}: fields {fields_of(remote_message)}, expected {fields_of(local_message)}")
        described.append(f"{service_name} ({', '.join(m[0] for m in remote_methods)}; {len(files)} files)")
    return "; ".join(described)


# --- Health ---------------------------------------------------------------------------------------

def serving_status_name(ctx, status):
    return ctx.m("grpc.health.v1.HealthCheckResponse").ServingStatus.Name(status)


def health_check_server(ctx):
    response = ctx.health.Check(ctx.m("grpc.health.v1.HealthCheckRequest")(service=""), timeout=CALL_TIMEOUT)
    status = serving_status_name(ctx, response.status)
    check(status == "SERVING", f"'' is {status}")
    return "'' SERVING"


def health_check_services(ctx):
    results, failures = [], []
    for name in ctx.contracts.public_services():
        try:
            response = ctx.health.Check(ctx.m("grpc.health.v1.HealthCheckRequest")(service=name), timeout=CALL_TIMEOUT)
            status = serving_status_name(ctx, response.status)
        except grpc.RpcError as error:
            status = f"{status_name(error.code())} ({error.details()})"
        results.append(f"{name} {status}")
        if status != "SERVING":
            failures.append(f"{name} is {status}")
    check(not failures, "; ".join(failures))
    return ", ".join(results)


def health_watch(ctx):
    call = ctx.health.Watch(ctx.m("grpc.health.v1.HealthCheckRequest")(service=""), timeout=CALL_TIMEOUT)
    first = next(call)
    status = serving_status_name(ctx, first.status)
    call.cancel()
    check(status == "SERVING", f"first status {status}")
    return "Watch('') -> SERVING first, then cancelled"


# --- Rows -----------------------------------------------------------------------------------------

def value_of(value):
    kind = value.WhichOneof("kind")
    return None if kind in (None, "null_value") else getattr(value, kind)


def rows_resume(ctx):
    request = ctx.m("streamgrpc.v1.StreamRowsRequest")
    query = dict(dataset="events", columns=["id", "category"], limit=5000, batch_size=1000)
    first_ids, token = [], None
    call = ctx.rows.StreamRows(request(**query), timeout=CALL_TIMEOUT)
    schema = next(call)
    check(schema.WhichOneof("kind") == "schema", f"first message is {schema.WhichOneof('kind')}")
    check([c.name for c in schema.schema.columns] == ["id", "category"], f"columns {schema.schema.columns}")
    check(list(schema.schema.key_columns) == ["id"], f"key columns {schema.schema.key_columns}")
    for message in call:
        check(message.WhichOneof("kind") == "batch", f"got {message.WhichOneof('kind')} after the schema")
        first_ids.extend(value_of(r.values[0]) for r in message.batch.rows)
        token = message.batch.resume_token
        if len(first_ids) >= 2000:
            break
    call.cancel()
    check(token, "no resume token mid-way")
    check(first_ids == list(range(1, len(first_ids) + 1)), f"first call ids {first_ids[:3]}...{first_ids[-3:]}")

    rows = []
    resumed = ctx.rows.StreamRows(request(resume_token=token, **query), timeout=CALL_TIMEOUT)
    for message in resumed:
        if message.WhichOneof("kind") == "batch":
            rows.extend((value_of(r.values[0]), value_of(r.values[1])) for r in message.batch.rows)
    ids = [i for i, _ in rows]
    check(ids and ids[0] == first_ids[-1] + 1, f"resumed at id {ids[:1]} after {first_ids[-1]}")
    all_ids = first_ids + ids
    duplicates = len(all_ids) - len(set(all_ids))
    check(duplicates == 0, f"{duplicates} rows repeated")
    check(all_ids == list(range(1, 5001)), f"ids {len(all_ids)}: lost rows (limit 5000 across resumes)")
    wrong = [(i, c) for i, c in rows if c != CATEGORIES[i % 5]]
    check(not wrong, f"category differs from the seed for {wrong[:3]}")
    return f"{len(first_ids)} rows, cancelled, resumed at id {ids[0]}: {len(ids)} more, 1..5000 once each"


def rows_cancel(ctx):
    case = "rows_cancel"
    call = ctx.rows.StreamRows(ctx.m("streamgrpc.v1.StreamRowsRequest")(dataset="events", batch_size=100),
                               timeout=CALL_TIMEOUT)
    schema = next(call)
    check(schema.WhichOneof("kind") == "schema", "first message is not the schema")
    batch = next(call)
    check(len(batch.batch.rows) > 0, "first batch is empty")
    # The client stops reading here: flow control holds the server's writer, and with it the query.
    open_ok, open_detail = ctx.sync(case, "rows_stream_open")
    call.cancel()
    try:
        for _ in call:
            pass
        raise CaseFailure("the stream went on after cancel")
    except grpc.RpcError as error:
        code = status_name(error.code())
    check(code == "CANCELLED", f"status after cancel {code}")
    gone_ok, gone_detail = ctx.sync(case, "rows_stream_cancelled")
    check(open_ok, open_detail)
    check(gone_ok, gone_detail)
    return f"read {len(batch.batch.rows)} rows of 1000000, cancelled -> CANCELLED; {open_detail}; {gone_detail}"


# --- Lines ----------------------------------------------------------------------------------------

def lines_filter(ctx):
    f = ctx.m("streamgrpc.v1.LineFilter")
    request = ctx.m("streamgrpc.v1.StreamLinesRequest")(
        root=ctx.args.files_root, path="app.log", max_lines=50,
        filters=[f(contains={"text": "ERROR"}), f(not_contains={"text": "payments"})])
    lines = []
    for batch in ctx.files.StreamLines(request, timeout=CALL_TIMEOUT):
        lines.extend(batch.lines)
    expected = [i for i in range(1, 1000) if LEVELS[i * 7 % 6] == "ERROR" and AREAS[i * 3 % 5] != "payments"][:50]
    numbers = [line.line_number for line in lines]
    check(numbers == expected, f"line numbers {numbers[:5]}..., expected {expected[:5]}...")
    for line in lines:
        check(" ERROR " in line.text and f" request {line.line_number} took " in line.text
              and "payments" not in line.text, f"line {line.line_number}: {line.text!r}")
    offsets = [line.offset for line in lines]
    check(offsets == sorted(offsets) and len(set(offsets)) == len(offsets), "offsets not increasing")
    return f"{len(lines)} lines through contains(ERROR) + not_contains(payments), lines {numbers[0]}..{numbers[-1]}"


# --- Jobs -----------------------------------------------------------------------------------------

def jobs_import_watch(ctx):
    csv_format = ctx.contracts.enum_value("streamgrpc.v1.ImportFormat", "IMPORT_FORMAT_CSV")
    request = ctx.m("streamgrpc.v1.StartImportRequest")(
        root=ctx.args.files_root, path=ctx.args.import_path, format=csv_format, table=ctx.args.import_table,
        csv=ctx.m("streamgrpc.v1.ImportCsvOptions")(header=True))
    start = ctx.jobs.StartImport(request, timeout=CALL_TIMEOUT)
    seen = []
    for event in start:
        seen.append(event)
        if event.sequence >= 2:
            break
    # Leaving the StartImport stream does not stop the job; Watch re-attaches.
    start.cancel()
    check(len(seen) == 2, f"StartImport streamed {len(seen)} events before it ended")
    check(seen[0].sequence == 1 and seen[0].WhichOneof("kind") == "started", f"first event {seen[0]}")
    check(seen[1].sequence == 2, f"second event has sequence {seen[1].sequence}")
    job_id = seen[0].job_id
    total_bytes = seen[0].started.total_bytes

    after = 2
    watched = list(ctx.jobs.Watch(ctx.m("streamgrpc.v1.WatchJobRequest")(job_id=job_id, after_sequence=after),
                                  timeout=CALL_TIMEOUT))
    check(watched, "Watch streamed nothing")
    sequences = [e.sequence for e in watched]
    check(sequences == list(range(after + 1, after + 1 + len(watched))), f"sequences {sequences} after {after}")
    check(all(e.job_id == job_id for e in watched), "an event of another job")
    last = watched[-1]
    check(last.WhichOneof("kind") == "completed", f"last event is {last.WhichOneof('kind')}: {last}")
    check(last.completed.rows_imported > 0 and last.completed.rows_rejected == 0,
          f"completed {last.completed}")
    check(last.completed.bytes_read == total_bytes, f"read {last.completed.bytes_read} of {total_bytes} bytes")
    return (f"job {job_id}: StartImport 1..2, Watch after 2 -> {sequences[0]}..{sequences[-1]}, "
            f"completed {last.completed.rows_imported} rows")


# --- LLM ------------------------------------------------------------------------------------------

def llm_builtin_tokens(ctx):
    prompt = "interop tokens from grpcio"
    user = ctx.contracts.enum_value("streamgrpc.v1.CompletionRole", "COMPLETION_ROLE_USER")
    request = ctx.m("streamgrpc.v1.CompletionRequest")(
        model="builtin-echo", request_id="interop-python",
        messages=[ctx.m("streamgrpc.v1.CompletionMessage")(role=user, content=prompt)])
    chunks = list(ctx.llm.StreamCompletion(request, timeout=CALL_TIMEOUT))
    check(chunks and chunks[-1].WhichOneof("kind") == "summary", "the stream does not end with a summary")
    deltas = [c.delta for c in chunks[:-1]]
    check(all(c.WhichOneof("kind") == "delta" for c in chunks[:-1]), "a summary before the last message")
    check([d.index for d in deltas] == list(range(len(deltas))), f"indexes {[d.index for d in deltas]}")
    text = "".join(d.text for d in deltas)
    check(text.split() == prompt.split(), f"echoed {text!r}")
    summary = chunks[-1].summary
    stop = ctx.contracts.enum_value("streamgrpc.v1.CompletionFinishReason", "COMPLETION_FINISH_REASON_STOP")
    check(summary.finish_reason == stop, f"finish reason {summary.finish_reason}")
    check(summary.usage.completion_tokens == len(deltas), f"usage {summary.usage}")
    check(summary.request_id == "interop-python", f"request id {summary.request_id!r}")
    return f"{len(deltas)} tokens {text!r}, then a STOP summary"


# --- Deadline -------------------------------------------------------------------------------------

def deadline_exceeded(ctx):
    deadline = 1.5
    request = ctx.m("streamgrpc.v1.StreamLinesRequest")(root=ctx.args.files_root, path="sample.log", follow=True)
    started = time.monotonic()
    lines = 0
    try:
        for batch in ctx.files.StreamLines(request, timeout=deadline):
            lines += len(batch.lines)
        raise CaseFailure("the follow stream ended without an error")
    except grpc.RpcError as error:
        code = status_name(error.code())
    elapsed = time.monotonic() - started
    check(code == "DEADLINE_EXCEEDED", f"status {code}")
    check(lines > 0, "no lines before the deadline")
    check(deadline * 0.9 <= elapsed < deadline + 10, f"ended after {elapsed:.2f} s")
    return f"follow stream: {lines} lines, then DEADLINE_EXCEEDED after {elapsed:.2f} s ({deadline} s deadline)"


CASES = {
    "reflection_v1_list": lambda ctx: reflection_list(ctx, "v1"),
    "reflection_v1_describe": lambda ctx: reflection_describe(ctx, "v1"),
    "reflection_v1alpha_list": lambda ctx: reflection_list(ctx, "v1alpha"),
    "reflection_v1alpha_describe": lambda ctx: reflection_describe(ctx, "v1alpha"),
    "health_check_server": health_check_server,
    "health_check_services": health_check_services,
    "health_watch": health_watch,
    "rows_resume": rows_resume,
    "lines_filter": lines_filter,
    "jobs_import_watch": jobs_import_watch,
    "llm_builtin_tokens": llm_builtin_tokens,
    "rows_cancel": rows_cancel,
    "deadline_exceeded": deadline_exceeded,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", default="127.0.0.1:5000", help="host:port of the service (plaintext h2c)")
    parser.add_argument("--cases", default="all", help="'all' or a comma-separated list of " + ", ".join(CASES))
    parser.add_argument("--files-root", default="demo", help="file root holding app.log, sample.log and the import file")
    parser.add_argument("--import-path", default="people.csv", help="CSV file (with header) to import")
    parser.add_argument("--import-table", default="people", help="configured import target (StreamGrpc:Jobs:Tables)")
    parser.add_argument("--harness", action="store_true", help="ask the test harness over stdin/stdout at sync points")
    args = parser.parse_args()

    names = list(CASES) if args.cases == "all" else [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown cases {unknown}")

    contracts = Contracts()
    failed = 0
    with grpc.insecure_channel(args.address) as channel:
        ctx = Context(args, contracts, channel)
        for name in names:
            started = time.monotonic()
            try:
                detail, passed = CASES[name](ctx), True
            except CaseFailure as error:
                detail, passed = str(error), False
            except grpc.RpcError as error:
                detail, passed = f"{status_name(error.code())}: {error.details()}", False
            except Exception:
                detail, passed = traceback.format_exc().strip(), False
            failed += 0 if passed else 1
            emit({"peer": PEER, "version": grpc.__version__, "case": name, "passed": passed,
                  "detail": detail, "ms": round((time.monotonic() - started) * 1000)})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
