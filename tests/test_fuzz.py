"""Fuzzing the real app (uvicorn) on the seeded graph with queries generated from its own schema.

* valid queries answer without errors or with documented codes only, and alike through either
  executor (tests/test_execution.py);
* invalid queries answer with GraphQL errors or a 4xx — never a 500, never a stack trace;
* mutations fuzzed with an editor token leave a graph that exports to valid seed files: those
  generated from the schema alone (almost all refused: random keys name nothing), and plausible
  ones built from the graph's own keys and versions, many of which are accepted.

A fixed seed keeps CI repeatable; `pytest --fuzz-examples=20000 --fuzz-random` runs longer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from api.schema import sdl
from graph.database import Database
from graph.errors import ErrorCode
from graph.tokens import create_token
from seed.files import read_texts
from seed.loader import export

SCHEMA = sdl()
SCALARS = {
    "DateTime": st.datetimes().map(lambda d: graphql.StringValueNode(value=d.isoformat())),
    "JSON": st.just(graphql.StringValueNode(value="{}")),
}
# Every code a client may see but the one for the unexpected (graph.errors.ErrorCode).
DOCUMENTED = {code.value for code in ErrorCode} - {ErrorCode.INTERNAL_SERVER_ERROR.value}
CLIENT_ERRORS = {"HTTP 400", "HTTP 405", "HTTP 413", "HTTP 415"}
LEAKS = ("Traceback", 'File "', "MATCH (", "neo4j.exceptions", "strawberry/")


def fuzz_settings(config: pytest.Config, examples: int | None = None) -> Any:
    count = examples or config.getoption("--fuzz-examples")
    return settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=not config.getoption("--fuzz-random"),
        suppress_health_check=list(HealthCheck),
    )


def fixed_seed(config: pytest.Config, value: int) -> Any:
    """The CI seed, unless --fuzz-random asks for fresh examples (an explicit seed would win over
    Hypothesis's own randomness)."""
    return (lambda test: test) if config.getoption("--fuzz-random") else seed(value)


def codes_of(response: httpx.Response) -> list[str]:
    """The error codes of an answer that must be neither a 5xx nor a leak of internals (an error
    may quote the client's own input back, whatever that input contains)."""
    assert response.status_code < 500, response.text[:500]
    sent = response.request.content.decode("utf-8", "replace")
    for leak in LEAKS:
        assert leak not in response.text or leak in sent or json.dumps(leak)[1:-1] in sent, response.text[:500]
    if response.status_code != 200:
        return [f"HTTP {response.status_code}"]
    errors = response.json().get("errors") or []
    for error in errors:
        assert (error.get("extensions") or {}).get("requestId"), error  # every error can be found in the log
    return [str((e.get("extensions") or {}).get("code")) for e in errors]


@pytest.fixture
def http(live_server: str, seeded: Database) -> Any:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client


def test_generated_invalid_queries_never_fail_the_server(http: httpx.Client, request: pytest.FixtureRequest) -> None:
    seen = {"answers": 0}

    @fuzz_settings(request.config)
    @fixed_seed(request.config, 20261128)
    @given(query=queries(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
    def check(query: str) -> None:
        codes = codes_of(http.post("/graphql", json={"query": query}))
        assert codes, f"an invalid query was answered without an error: {query}"
        assert set(codes) <= DOCUMENTED | CLIENT_ERRORS, (query, codes)
        seen["answers"] += 1

    check()
    assert seen["answers"] >= request.config.getoption("--fuzz-examples")


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"null", b"[]", b"42", b'"query"', b'{"query": 5}', b'{"query": null}', b'{"query": "{", "variables": 3}',
     b'{"query": "{ principles { key } }", "extensions": []}', b"\xff\xfe\x00", b'{"query": "\\u0000"}'],
)  # fmt: skip
def test_broken_bodies_are_client_errors(http: httpx.Client, body: bytes) -> None:
    response = http.post("/graphql", content=body, headers={"content-type": "application/json"})
    codes = codes_of(response)
    assert codes and set(codes) <= DOCUMENTED | CLIENT_ERRORS, codes


def test_random_bytes_as_queries_never_fail_the_server(http: httpx.Client, request: pytest.FixtureRequest) -> None:
    @fuzz_settings(request.config, examples=300)
    @fixed_seed(request.config, 20261129)
    @given(text=st.text(max_size=300))
    def check(text: str) -> None:
        codes = codes_of(http.post("/graphql", json={"query": text}))
        assert set(codes) <= DOCUMENTED | CLIENT_ERRORS, (text, codes)  # every error has a known code

    check()


async def test_fuzzed_mutations_leave_a_graph_that_exports_to_valid_seed_files(
    live_server: str, seeded: Database, request: pytest.FixtureRequest
) -> None:
    token = await create_token(seeded, "fuzzer", "editor")
    seen = {"answers": 0, "accepted": 0}
    examples = max(300, request.config.getoption("--fuzz-examples") // 3)

    with httpx.Client(base_url=live_server, timeout=30, headers={"authorization": f"Bearer {token}"}) as client:

        @fuzz_settings(request.config, examples=examples)
        @fixed_seed(request.config, 20261130)
        @given(query=mutations(SCHEMA, custom_scalars=SCALARS))
        def check(query: str) -> None:
            codes = codes_of(client.post("/graphql", json={"query": query}))
            assert set(codes) <= DOCUMENTED, (query, codes)
            seen["answers"] += 1
            seen["accepted"] += not codes

        check()
    assert seen["answers"] >= examples
    # Whatever got through, the graph is still valid by the seed rules.
    read_texts([("export.yaml", await export(seeded))])


# Plausible mutations: real and fresh keys, right and wrong versions, texts that are sometimes
# empty, whitespace or exotic, references that sometimes point nowhere.
FRESH_KEYS = st.from_regex(r"\Afz-[a-z0-9]{1,3}\Z")
WORDS = st.sampled_from(["Khiếu nại mới", "Báo giá", "Hợp đồng", "Complaint", "Quote", "Ｆｕｌｌ", "e\u0301", "  "])
# Mostly words a person would type, sometimes any text at all (which is mostly refused).
TEXT = st.integers(0, 3).flatmap(lambda n: st.text(max_size=30) if n == 0 else WORDS)
TEXTS = st.fixed_dictionaries({"vi": TEXT, "en": TEXT})
ALIASES = st.fixed_dictionaries({"vi": st.lists(TEXT, max_size=2), "en": st.lists(TEXT, max_size=2)})
KINDS = ("Department", "Topic", "Relationship", "Flow", "Principle", "Scenario")


@dataclass(frozen=True)
class Ref:
    """A key of an existing node, chosen when the mutation is sent (the graph changes as they go)."""

    kind: str
    index: int


def resolve(value: Any, keys: dict[str, list[str]]) -> Any:
    if isinstance(value, Ref):
        found = keys[value.kind]
        return found[value.index % len(found)] if found else "nothing"
    if isinstance(value, dict):
        return {name: resolve(item, keys) for name, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, keys) for item in value]
    return value


@st.composite
def plausible_mutation(draw: st.DrawFn) -> tuple[str, str, Any, dict[str, Any]]:
    """(label of the node it targets, mutation, key, variables), with `Ref`s still to resolve."""

    def ref(kind: str) -> Ref:
        return Ref(kind, draw(st.integers(0, 10_000)))

    def two_departments() -> list[Ref]:
        first = draw(st.integers(0, 10_000))
        return [Ref("Department", first), Ref("Department", first + draw(st.integers(1, 3)))]

    kind = draw(st.sampled_from(KINDS))
    action = draw(st.sampled_from(("create", "update", "delete")))
    key: Any = draw(FRESH_KEYS) if action == "create" or draw(st.integers(0, 3)) == 0 else ref(kind)
    fields: dict[str, Any]
    if kind in ("Department", "Topic"):
        fields = {"key": key, "name": draw(TEXTS), "aliases": draw(ALIASES)}
    elif kind == "Principle":
        fields = {"key": key, "title": draw(TEXTS), "text": draw(TEXTS)}
    elif kind == "Relationship":
        fields = {"key": key, "departments": two_departments(), "title": draw(TEXTS), "summary": draw(TEXTS)}
    elif kind == "Flow":
        provider, receiver = two_departments()
        fields = {
            "key": key, "kind": draw(st.sampled_from(["NEED", "CONTRIBUTION"])), "provider": provider,
            "receiver": receiver, "text": draw(TEXTS), "purpose": draw(st.one_of(st.none(), TEXTS)),
            "topics": [ref("Topic") for _ in range(draw(st.integers(0, 2)))],
        }  # fmt: skip
    else:
        steps = [
            {"actor": ref("Department"), "action": draw(TEXTS),
             "recipient": draw(st.one_of(st.none(), st.just(ref("Department"))))}
            for _ in range(draw(st.integers(0, 3)))
        ]  # fmt: skip
        fields = {"key": key, "title": draw(TEXTS), "text": draw(TEXTS), "steps": steps}
    input_type = f"{kind}Input!"
    if action == "create":
        if kind in ("Flow", "Scenario"):
            query = f"mutation($r: String!, $input: {input_type}) {{ create{kind}(relationship: $r, input: $input) {{ key }} }}"
            return kind, query, key, {"r": ref("Relationship"), "input": fields}
        return (
            kind,
            f"mutation($input: {input_type}) {{ create{kind}(input: $input) {{ key }} }}",
            key,
            {"input": fields},
        )
    variables: dict[str, Any] = {"key": key, "v": None}  # the version is looked up when it is sent
    if action == "update":
        variables["input"] = fields
        query = f"mutation($key: String!, $v: Int!, $input: {input_type}) {{ update{kind}(key: $key, expectedVersion: $v, input: $input) {{ key version }} }}"
    else:
        cascade = kind in ("Department", "Topic", "Relationship") and draw(st.booleans())
        arg = ", cascade: true" if cascade else ""
        query = f"mutation($key: String!, $v: Int!) {{ delete{kind}(key: $key, expectedVersion: $v{arg}) {{ __typename }} }}"
    variables["stale"] = draw(st.integers(0, 4)) == 0  # now and then, an out-of-date version
    return kind, query, key, variables


async def test_plausible_mutations_keep_the_graph_valid_and_audited(
    live_server: str, seeded: Database, request: pytest.FixtureRequest
) -> None:
    token = await create_token(seeded, "plausible-fuzzer", "editor")
    keys: dict[str, list[str]] = {}
    for kind in KINDS:
        rows = await seeded.read(f"MATCH (n:{kind}) RETURN n.key AS key ORDER BY key")  # type: ignore[arg-type]
        keys[kind] = [row["key"] for row in rows]
    versions: dict[str, int] = {}
    for kind in KINDS:
        for row in await seeded.read(f"MATCH (n:{kind}) RETURN n.key AS key, n.version AS v"):  # type: ignore[arg-type]
            versions[f"{kind}:{row['key']}"] = row["v"] or 1
    seen = {"answers": 0, "accepted": 0, "unchanged": 0}
    codes_seen: set[str] = set()
    examples = max(300, request.config.getoption("--fuzz-examples") // 3)

    with httpx.Client(base_url=live_server, timeout=30, headers={"authorization": f"Bearer {token}"}) as client:

        @fuzz_settings(request.config, examples=examples)
        @fixed_seed(request.config, 20261131)
        @given(mutation=plausible_mutation())
        def check(mutation: tuple[str, str, Any, dict[str, Any]]) -> None:
            kind, query, key, variables = mutation
            key = resolve(key, keys)
            variables = resolve(variables, keys)
            if "v" in variables:
                version = versions.get(f"{kind}:{key}", 1)
                variables["v"] = version - 1 if variables.pop("stale") else version
            answer = client.post("/graphql", json={"query": query, "variables": variables})
            codes = codes_of(answer)
            assert set(codes) <= DOCUMENTED, (query, variables, codes)
            codes_seen.update(codes)
            seen["answers"] += 1
            if codes:
                return
            seen["accepted"] += 1
            name = next(iter(answer.json()["data"]))
            if name.startswith("create"):
                keys[kind].append(key)  # type: ignore[arg-type]
                versions[f"{kind}:{key}"] = 1
            elif name.startswith("update"):
                version = answer.json()["data"][name]["version"]
                seen["unchanged"] += version == variables["v"]  # the same content: no new version, no record
                versions[f"{kind}:{key}"] = version
            else:
                for label in KINDS:  # a cascade may take other nodes along: forget them all
                    keys[label] = [k for k in keys[label] if k != key]

        check()

    # Many were accepted, many refused for the reasons a user would be; nothing else came back.
    # (About one in seven to one in ten is accepted. Hypothesis mixes constants it finds in the
    # project's own modules into what it draws, so any change to the code moves the examples of
    # the fixed seed: one in ten was on the edge — 29 of 300 with seeds 1 and 2 before issue 25.)
    print(f"plausible mutations: {seen}, codes: {sorted(codes_seen)}")
    assert seen["accepted"] >= examples // 15, seen
    assert {"BAD_USER_INPUT", "CONFLICT", "NOT_FOUND"} <= codes_seen, codes_seen
    # Every accepted change is in the audit trail, and the graph is still valid by the seed rules.
    [row] = await seeded.read(
        "MATCH (c:Change) WHERE c.actor = 'plausible-fuzzer' RETURN count(DISTINCT c.mutation) AS n"
    )
    assert row["n"] == seen["accepted"] - seen["unchanged"]
    read_texts([("export.yaml", await export(seeded))])
