"""``ivig-core serve``: options, the protocol, the extra check, the start of uvicorn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import ivig_core.service.serve as glue
from ivig_core import load_protocol
from ivig_core.cli import EXIT_BAD_INPUT, EXIT_OK, main
from ivig_core.io import MissingExtraError


ARGS = [
    "serve",
    "--policy",
    "actual",
    "--rounding",
    "never-below",
    "--rate-weight",
    "dosing",
    "--max-observation-age",
    "90",
]


def test_serve_starts_uvicorn_with_the_site_choices(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The options become the ServiceConfig; uvicorn gets the app, host and port."""
    seen: dict[str, Any] = {}

    def fake_serve(config: glue.ServiceConfig, *, host: str, port: int) -> None:
        seen.update(config=config, host=host, port=port)

    monkeypatch.setattr(glue, "serve", fake_serve)
    status = main([*ARGS, "--port", "8081", "--eighty-gram-rule", "day"])
    assert status == EXIT_OK
    config = seen["config"]
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8081)
    assert config.rate_weight == "dosing"
    assert config.max_age == dt.timedelta(days=90)
    assert config.split_limits.eighty_gram_rule.applies_to == "day"
    assert "http://127.0.0.1:8081/cds-services" in capsys.readouterr().out


def test_serve_app_is_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """glue.serve hands uvicorn the FastAPI application."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    config = glue.ServiceConfig(
        policy="actual", rounding="never-below", rate_weight="dosing", max_age=None
    )
    glue.serve(config, host="0.0.0.0", port=9000)  # noqa: S104 - not bound: uvicorn is faked
    assert seen["app"].title == "ivig_core CDS Hooks service"
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 9000)  # noqa: S104 - ditto


def test_no_limit_is_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    """'none' means no age limit; it is never a default."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(glue, "serve", lambda config, **_: seen.update(config=config))
    args = [*ARGS[:-1], "none"]
    assert main(args) == EXIT_OK
    assert seen["config"].max_age is None


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (ARGS[:-2], "--max-observation-age"),
        ([*ARGS[:-1], "-3"], "--max-observation-age"),
        ([*ARGS, "--port", "99999"], "--port"),
        ([*ARGS, "--port", "http"], "--port"),
        ([a for a in ARGS if a not in {"--rate-weight", "dosing"}], "--rate-weight"),
    ],
)
def test_bad_options_name_the_flag(
    args: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing or bad option exits 2 naming the option typed."""
    assert main(args) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert flag in captured.err
    assert captured.out == ""


def test_missing_extra_is_named_before_any_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the service extra: exit 2, the extra named, nothing printed."""

    def missing() -> None:
        msg = (
            "ivig-core serve needs uvicorn: install it with "
            'pip install "ivig-core[service]"'
        )
        raise MissingExtraError(msg)

    monkeypatch.setattr(glue, "check_extra", missing)
    assert main(ARGS) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert 'pip install "ivig-core[service]"' in captured.err
    assert captured.out == ""


DISTRICT = (
    Path(__file__).parent.parent / "examples" / "protocols" / "district-hospital.toml"
)


def _fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(glue, "serve", lambda config, **_: seen.update(config=config))
    return seen


def test_serve_takes_the_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--protocol FILE``: the service plans under it; it gives the policies."""
    seen = _fake(monkeypatch)
    args = ["serve", "--protocol", str(DISTRICT), "--max-observation-age", "90"]
    assert main(args) == EXIT_OK
    config = seen["config"]
    assert config.protocol == load_protocol(DISTRICT)
    assert (config.policy, config.rounding, config.rate_weight) == (None, None, None)


def test_serve_flags_win_over_the_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy flag given with a protocol is the configuration's."""
    seen = _fake(monkeypatch)
    assert main([*ARGS, "--protocol", str(DISTRICT)]) == EXIT_OK
    config = seen["config"]
    assert config.protocol == load_protocol(DISTRICT)
    assert (config.policy.name, config.rate_weight) == ("actual", "dosing")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[protocol]\nname = "P"\n[rounding]\npolicy = "x"\n', "[protocol] version"),
        ("not toml [", "not a UTF-8 TOML file"),
        (None, "cannot read"),
    ],
)
def test_a_bad_protocol_stops_the_start_naming_the_flag(
    text: str | None,
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bad or missing file: exit 2, every problem naming --protocol, not served."""
    seen = _fake(monkeypatch)
    path = tmp_path / "protocol.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert main([*ARGS, "--protocol", str(path)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert seen == {}
    lines = [line for line in captured.err.splitlines() if str(path) in line]
    assert lines
    assert all("--protocol" in line for line in lines), captured.err
    assert says in captured.err


@pytest.mark.parametrize("flag", ["--policy", "--rounding", "--rate-weight"])
def test_without_a_protocol_the_choices_are_required(
    flag: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No protocol: each of the three choices is required, naming its flag."""
    seen = _fake(monkeypatch)
    i = ARGS.index(flag)
    assert main(ARGS[:i] + ARGS[i + 2 :]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert f"required: {flag} (or a --protocol FILE that sets it)" in captured.err
    assert captured.out == ""
    assert seen == {}
