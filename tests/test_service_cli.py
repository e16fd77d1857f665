"""``ivig-core serve``: options, the extra check, and the start of uvicorn."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import uvicorn

import ivig_core.service.serve as glue
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
