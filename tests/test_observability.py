"""What operators see: one JSON log line per request, Prometheus metrics at /metrics, and a
Server-Timing header.

The log test runs the real `deptgraph serve` and reads what it writes to stderr."""

from __future__ import annotations

import json
import os
import select
from pathlib import Path

import httpx
import websockets.sync.client
from prometheus_client.parser import text_string_to_metric_families

from deptgraph.settings import Settings
from graph.database import Database

from .conftest import app_client, start_app

# Named as in queries/: the operations the app knows get metric labels of their own.
QUESTION = 'query WhatSalesNeedsFromAccounting { needs(of: "sales", from: "accounting") { key provider { key } } }'


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page by (name, labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_every_request_is_one_json_log_line_with_its_id_operation_duration_and_round_trips(
    cli_env: dict[str, str], seeded: Database, tmp_path: Path
) -> None:
    log_file = tmp_path / "stderr.log"
    with log_file.open("w") as stderr:
        process, base = start_app(cli_env | {"DEPTGRAPH_LOG_FORMAT": "json"}, stderr=stderr)
        try:
            answered = httpx.post(
                f"{base}/graphql", json={"query": QUESTION}, headers={"x-request-id": "onboarding-7"}, timeout=10
            )
            assert answered.headers["x-request-id"] == "onboarding-7"
            timing = answered.headers["server-timing"]  # what the app took, for browsers' developer tools
            assert timing.startswith("app;dur=") and float(timing.removeprefix("app;dur=")) > 0
            missing = httpx.post(
                f"{base}/graphql",
                json={"query": 'query Who { needs(of: "legal") { key } }'},
                headers={"x-request-id": "onboarding-8"},
                timeout=10,
            )
            assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        finally:
            process.terminate()
            process.wait(timeout=20)

    lines = [line for line in log_file.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    by_id = {record.get("request_id"): record for record in records if record.get("logger") == "deptgraph.access"}
    ok = by_id["onboarding-7"]
    assert ok["level"] == "INFO" and ok["time"]
    assert (ok["method"], ok["path"], ok["status"]) == ("POST", "/graphql", 200)
    assert ok["operation"] == "WhatSalesNeedsFromAccounting"
    assert ok["round_trips"] == 1 and ok["error_codes"] == []
    assert isinstance(ok["duration_ms"], float) and ok["duration_ms"] > 0
    failed = by_id["onboarding-8"]
    # A name the app does not know (not in queries/) is counted and logged as `other`.
    assert failed["operation"] == "other" and failed["error_codes"] == ["NOT_FOUND"]


async def test_metrics_count_requests_latency_by_operation_and_errors_by_code(
    settings: Settings, seeded: Database
) -> None:
    async with app_client(settings, seeded) as http:
        for _ in range(3):
            await http.post("/graphql", json={"query": QUESTION})
        await http.post("/graphql", json={"query": '{ needs(of: "legal") { key } }'})
        await http.post("/graphql", json={"query": "{ nothing }"})
        await http.get("/healthz")
        page = await http.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    found = samples(page.text)
    asked = (("operation", "WhatSalesNeedsFromAccounting"),)
    assert found[("deptgraph_graphql_requests_total", asked)] == 3
    assert found[("deptgraph_graphql_request_duration_seconds_count", asked)] == 3
    assert found[("deptgraph_graphql_request_duration_seconds_sum", asked)] > 0
    assert found[("deptgraph_graphql_requests_total", (("operation", "anonymous"),))] == 2
    assert found[("deptgraph_graphql_errors_total", (("code", "NOT_FOUND"),))] == 1
    assert found[("deptgraph_graphql_errors_total", (("code", "GRAPHQL_VALIDATION_FAILED"),))] == 1
    assert found[("deptgraph_http_requests_total", (("route", "/healthz"), ("status", "200")))] == 1
    assert found[("deptgraph_http_requests_total", (("route", "/graphql"), ("status", "200")))] == 5
    assert found[("deptgraph_cypher_round_trips_total", ())] >= 4
    assert found[("deptgraph_neo4j_breaker_state", (("state", "closed"),))] == 1


async def test_operation_labels_stay_bounded_whatever_clients_send(settings: Settings, seeded: Database) -> None:
    async with app_client(settings, seeded) as http:
        for i in range(120):
            await http.post("/graphql", json={"query": f"query Op{i} {{ principles {{ key }} }}"})
        await http.post("/graphql", json={"query": "{ principles { key } }", "operationName": "x" * 500})
        found = samples((await http.get("/metrics")).text)
    operations = {dict(labels)["operation"] for name, labels in found if name == "deptgraph_graphql_requests_total"}
    assert len(operations) <= 101  # the known operations and at most 100 in all, then "other"
    assert "other" in operations and "x" * 500 not in operations


def test_logs_are_plain_lines_at_a_terminal_and_json_lines_otherwise(
    cli_env: dict[str, str], seeded: Database, tmp_path: Path
) -> None:
    """Issue 21: `make run` at a terminal printed JSON lines; uvicorn prints plain ones."""
    env = {k: v for k, v in cli_env.items() if k != "DEPTGRAPH_LOG_FORMAT"}  # the default: auto
    primary, secondary = os.openpty()
    process, base = start_app(env, stderr=secondary)
    try:
        httpx.get(f"{base}/healthz", timeout=10)
    finally:
        process.terminate()
        process.wait(timeout=20)
        os.close(secondary)
    seen = b""
    while select.select([primary], [], [], 1.0)[0]:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    lines = [line for line in seen.decode(errors="replace").splitlines() if line.strip()]
    assert any("GET /healthz 200" in line for line in lines), lines[-5:]
    assert not any(line.lstrip().startswith("{") for line in lines), lines[-5:]
    piped = tmp_path / "stderr.log"
    with piped.open("w") as stderr:
        process, base = start_app(env, stderr=stderr)
        httpx.get(f"{base}/healthz", timeout=10)
        process.terminate()
        process.wait(timeout=20)
    assert all(json.loads(line) for line in piped.read_text().splitlines() if line.strip())


def test_a_token_in_a_url_never_reaches_the_log(cli_env: dict[str, str], seeded: Database, tmp_path: Path) -> None:
    """Hostile review: uvicorn's line for an accepted WebSocket would log a token put in its URL."""
    log_file = tmp_path / "stderr.log"
    secret = "dgt_" + "s" * 43
    with log_file.open("w") as stderr:
        process, base = start_app(cli_env | {"DEPTGRAPH_LOG_LEVEL": "info"}, stderr=stderr)
        try:
            url = base.replace("http://", "ws://") + f"/graphql?token={secret}"
            with websockets.sync.client.connect(url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]):
                pass
            httpx.get(f"{base}/graphql", params={"query": "{ principles { key } }", "token": secret}, timeout=10)
        finally:
            process.terminate()
            process.wait(timeout=20)
    text = log_file.read_text()
    assert "WebSocket /graphql" in text  # the line is there, its query string is not
    assert secret not in text
