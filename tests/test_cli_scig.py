"""The scig verb (IVIg to SC conversion, SC presets), through the console script."""

from __future__ import annotations

import importlib.resources
import json
import math
import re
import subprocess
from pathlib import Path

import icalendar
import pytest

from ivig_core.cli import EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_OK, main
from ivig_core.io.json import plan_from_json, plan_to_json
from ivig_core.plan import Plan
from ivig_core.products import Route, default_catalogue
from ivig_core.scig import SCIG_PRESETS
from processes import cli


def replace(args: tuple[str, ...], flag: str, value: str) -> tuple[str, ...]:
    """*args* with *flag*'s value replaced."""
    i = args.index(flag)
    return (*args[: i + 1], value, *args[i + 2 :])


def without(args: tuple[str, ...], flag: str) -> tuple[str, ...]:
    """*args* without *flag* and its value."""
    i = args.index(flag)
    return args[:i] + args[i + 2 :]


def rows(out: str) -> list[list[str]]:
    """The table's infusion rows, split on two or more spaces."""
    return [
        re.split(r"\s{2,}", line.strip())
        for line in out.splitlines()
        if re.match(r"^\d{4}-\d{2}-\d{2}  ", line)
    ]


def document(result: subprocess.CompletedProcess[str]) -> Plan:
    """The plan document printed by --format json, read back."""
    return plan_from_json(result.stdout)


PATIENT: tuple[str, ...] = (
    "--sex", "female", "--age", "54", "--height", "165 cm", "--weight", "70 kg",
)  # fmt: skip

#: The how-to's worked example: 30 g IVIg every 4 weeks, last on 2026-01-05,
#: to Hizentra weekly at its label factor; the maximum number of sites (not
#: in the reference) is the how-to's local-protocol number.
HIZENTRA: tuple[str, ...] = (
    "scig", *PATIENT,
    "--ivig-dose", "30 g", "--ivig-interval", "4 week",
    "--product", "hizentra", "--rule", "label", "--frequency", "weekly",
    "--last-ivig", "2026-01-05", "--cycles", "4",
    "--policy", "actual", "--rounding", "never-below",
    "--site-rate", "label-maximum",
    "--situation", "PI, later infusions",
    "--first-situation", "PI, first infusion", "--first-count", "1",
    "--max-sites", "4", "--limits-source", "infusion-centre protocol 12",
)  # fmt: skip

#: HyQvia, 30 g every 4 weeks, 1:1 after the label's ramp-up. Its per-site
#: rate is not in the reference: the rate is given per site, as a choice.
HYQVIA: tuple[str, ...] = (
    "scig", *PATIENT,
    "--ivig-dose", "30 g", "--ivig-interval", "4 week",
    "--product", "hyqvia", "--rule", "label", "--frequency", "same-as-ivig",
    "--first-dose", "2026-01-12", "--cycles", "2",
    "--policy", "actual", "--rounding", "never-below",
    "--site-rate", "300 mL/h",
    "--situation", "per site, 1 or 2 sites", "--situation", "per site, 3 sites",
    "--situation", "per day, patients ≥ 40 kg",
)  # fmt: skip

#: Hizentra's CIDP preset (0.2 g/kg weekly, 1 session a week).
CIDP: tuple[str, ...] = (
    "scig", *PATIENT,
    "--preset", "hizentra-cidp-0.2", "--maintenance-days", "1",
    "--product", "hizentra", "--indication", "cidp",
    "--last-ivig", "2026-01-05", "--cycles", "2",
    "--policy", "actual", "--rounding", "never-below",
    "--site-rate", "label-maximum", "--situation", "CIDP, later infusions",
    "--max-sites", "4", "--limits-source", "infusion-centre protocol 12",
)  # fmt: skip


@pytest.fixture(scope="module")
def hizentra() -> subprocess.CompletedProcess[str]:
    """The Hizentra worked example as a table, run once."""
    return cli(*HIZENTRA)


def test_hizentra_weekly_table(hizentra: subprocess.CompletedProcess[str]) -> None:
    """30 g every 4 weeks → Hizentra weekly at 1.37: dated rows with sites, exit 0."""
    assert hizentra.returncode == EXIT_OK, hizentra.stderr
    out = hizentra.stdout
    assert "Product:        Hizentra for no indication recorded" in out
    assert "Route:          subcutaneous" in out
    header = next(line for line in out.splitlines() if line.startswith("date"))
    for column in ("calc g", "disp g", "mL", "sites", "mL/site", "mL/h/site"):
        assert column in header
    assert "duration" in header
    assert "rate steps" not in header
    table = rows(out)
    assert [r[0] for r in table] == [
        "2026-01-12",
        "2026-01-19",
        "2026-01-26",
        "2026-02-02",
    ]
    # date, phase, course, g/kg, calc g, disp g, vials, mL, sites, mL/site,
    # mL/h/site, duration: 10.275 g → 11 g (never below) = 55 mL at 20 %.
    assert table[0][4:] == [
        "10.28", "11", "10+1 g", "55", "4", "13.8", "15.0", "55 min",
    ]  # fmt: skip
    assert table[1][4:] == [
        "10.28", "11", "10+1 g", "55", "3", "18.3", "25.0", "44 min",
    ]  # fmt: skip
    assert "Status: READY to issue (no blocking findings)" in out
    assert "INFO: SC_ROUTE_RULES (plan)" in out
    assert out.rstrip().endswith("it does not prescribe.")
    assert hizentra.stderr == ""


def test_hizentra_derivation(hizentra: subprocess.CompletedProcess[str]) -> None:
    """The table says how: the factor and its source, the first day, the limits."""
    out = " ".join(hizentra.stdout.split())
    assert "How the doses were derived:" in out
    assert "- conversion factor = 1.37 formula: label factor for Hizentra" in out
    assert "- weekly SC dose = 10.28 g/week" in out
    assert "inputs: 30 g ÷ 4 × 1.37" in out
    assert "- first SC dose = 2026-01-12 formula: last IVIg + 7 days" in out
    assert "max_sites 4 — infusion-centre protocol 12" in out
    assert "- SC limits (PI, first infusion) = ≤ 15 mL/site at 1-4 sites" in out
    assert "infusion of" not in out


def test_hizentra_json_round_trips() -> None:
    """--format json prints the SC plan document: exact grams, sites, route."""
    result = cli(*HIZENTRA, "--format", "json")
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["schema"] == "ivig_core.plan"
    plan = document(result)
    assert plan.route is Route.SC
    assert plan.product == "Hizentra"
    assert all(math.isclose(i.calculated_g, 10.275) for i in plan.infusions)
    assert [i.sc.sites for i in plan.infusions if i.sc is not None] == [4, 3, 3, 3]
    assert plan.ready_to_issue
    assert plan_to_json(plan) + "\n" == result.stdout


def test_show_prints_a_stored_sc_plan(tmp_path: Path) -> None:
    """ivig-core show reads an SC plan document and prints the SC columns."""
    path = tmp_path / "sc.json"
    path.write_text(cli(*HIZENTRA, "--format", "json").stdout, encoding="utf-8")
    result = cli("show", str(path))
    assert result.returncode == EXIT_OK, result.stderr
    # the document records the patient (its inputs, planned again on load)
    assert "Patient:        female, 54 years, 165.0 cm, 70.0 kg" in result.stdout
    assert "Route:          subcutaneous" in result.stdout
    assert rows(result.stdout)[0][8:10] == ["4", "13.8"]
    assert "- conversion factor = 1.37" in result.stdout


def test_ics_output() -> None:
    """--format ics prints one event per SC infusion."""
    result = cli(*HIZENTRA, "--format", "ics")
    assert result.returncode == EXIT_OK, result.stderr
    calendar = icalendar.Calendar.from_ical(result.stdout)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 4
    assert str(events[0].decoded("dtstart")) == "2026-01-12"
    assert "Hizentra 11 g" in str(events[0].get("summary"))


def test_every_two_weeks_too_many_sites_is_refused() -> None:
    """Every 2 weeks: 20.55 g → 21 g = 105 mL needs 5 sites at 25 mL; 4 allowed."""
    args = without(
        replace(HIZENTRA, "--frequency", "every-2-weeks"), "--first-situation"
    )
    result = cli(*without(args, "--first-count"))
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stdout == ""
    assert result.stderr == (
        "ivig-core: error: infusion 1 (2026-01-12): sites: 105.0 mL at ≤ 25 mL "
        "per site needs 5 sites, 1 more than the label maximum of 4 (PI, later "
        "infusions)\n"
    )


def test_three_times_a_week() -> None:
    """3 times a week: 10.275 ÷ 3 = 3.425 g per dose on day offsets 0, 2, 4."""
    result = cli(*replace(HIZENTRA, "--frequency", "3-per-week"), "--format", "json")
    assert result.returncode == EXIT_OK, result.stderr
    plan = document(result)
    assert [str(i.date) for i in plan.infusions[:3]] == [
        "2026-01-12",
        "2026-01-14",
        "2026-01-16",
    ]
    assert all(math.isclose(i.calculated_g, 3.425) for i in plan.infusions)
    assert len(plan.infusions) == 12


def test_one_to_one_per_kg() -> None:
    """EU 1:1, 1 g/kg every 3 weeks: 0.333 g/kg weekly (grams from the weight)."""
    args = replace(HIZENTRA, "--ivig-dose", "1 g/kg")
    args = replace(args, "--ivig-interval", "3 week")
    args = replace(replace(args, "--rule", "1:1"), "--frequency", "3-per-week")
    result = cli(*args, "--format", "json")
    assert result.returncode == EXIT_OK, result.stderr
    plan = document(result)
    weekly = sum(i.calculated_g for i in plan.infusions[:3])
    assert math.isclose(weekly, 70.0 / 3)
    factor = next(t for t in plan.trace if t.what == "conversion factor")
    assert factor.value == "1"
    assert "EU studied and approved 1:1" in factor.source


def test_user_factor_is_recorded_with_its_reason() -> None:
    """--rule factor=1.2 needs a reason, and the reason is the factor's source."""
    args = replace(HIZENTRA, "--rule", "factor=1.2")
    refused = cli(*args)
    assert refused.returncode == EXIT_BAD_INPUT
    assert "--factor-reason" in refused.stderr
    result = cli(*args, "--factor-reason", "unit policy 7", "--format", "json")
    assert result.returncode == EXIT_OK, result.stderr
    plan = document(result)
    assert all(math.isclose(i.calculated_g, 9.0) for i in plan.infusions)
    factor = next(t for t in plan.trace if t.what == "conversion factor")
    assert (factor.value, factor.source) == ("1.2", "user: unit policy 7")


@pytest.mark.parametrize("product", ["cuvitru", "xembify"])
def test_cuvitru_and_xembify_plan_with_their_catalogue_vials(product: str) -> None:
    """Cuvitru and Xembify now carry vial sizes: they plan without a formulary.

    Cuvitru: MPR, 5, 10, 20, 40 mL; Xembify: UK SmPC, 1, 2, 4, 10 g.
    """
    situation = (
        "later infusions"
        if product == "cuvitru"
        else ("adults and children ≥ 10 years")
    )
    args = replace(HIZENTRA, "--product", product)
    args = replace(args, "--situation", situation)
    for flag in ("--first-situation", "--first-count", "--max-sites"):
        args = without(args, flag)
    result = cli(*without(args, "--limits-source"))
    assert result.returncode in {EXIT_OK, EXIT_BLOCKED}, result.stderr
    assert "no vial sizes" not in result.stderr


def _cuvitru_formulary(path: Path) -> Path:
    """The shipped Cuvitru entry with 1, 2 and 4 g vials (test data, not label)."""
    shipped = (
        importlib.resources.files("ivig_core")
        .joinpath("data", "products.toml")
        .read_text(encoding="utf-8")
    )
    start = shipped.index("[products.cuvitru]")
    end = shipped.index("[products.xembify]")
    entry = shipped[start:end]
    entry = entry.replace('"vials", ', "")
    entry = re.sub(
        r"vials = \[\].*",
        'vials = [{ grams = "1 g" }, { grams = "2 g" }, { grams = "4 g" }]',
        entry,
    )
    entry = re.sub(
        r'(\[products\.cuvitru\.presentation\][^\[]*?)source = ".*"',
        r'\1source = "test formulary (not label data)"',
        entry,
    )
    path.write_text(f"schema = 1\n\n{entry}", encoding="utf-8")
    return path


def test_cuvitru_with_a_formulary(tmp_path: Path) -> None:
    """With --formulary vials, Cuvitru converts at 1.30 with its first-2 limits."""
    formulary = _cuvitru_formulary(tmp_path / "formulary.toml")
    args = replace(HIZENTRA, "--product", "cuvitru")
    args = replace(args, "--situation", "later infusions")
    args = replace(args, "--first-situation", "first 2 infusions, patients ≥ 40 kg")
    args = replace(args, "--first-count", "2")
    args = without(without(args, "--max-sites"), "--limits-source")
    result = cli(*args, "--formulary", str(formulary), "--format", "json")
    assert result.returncode == EXIT_OK, result.stderr
    plan = document(result)
    assert plan.product == "Cuvitru"
    # 30 g ÷ 4 weeks × 1.30 = 9.75 g → 10 g = 50 mL at 20 %, on one site.
    assert all(math.isclose(i.calculated_g, 9.75) for i in plan.infusions)
    assert [i.dispensed_g for i in plan.infusions] == [10.0] * 4
    rates = [i.sc.rate_per_site_ml_h for i in plan.infusions if i.sc is not None]
    assert rates == [20.0, 20.0, 60.0, 60.0]
    factor = next(t for t in plan.trace if t.what == "conversion factor")
    assert factor.value == "1.3"


#: The options each catalogue SC product needs besides HIZENTRA's common
#: ones. Values the catalogue lacks are test protocol values, not label data.
SC_PRODUCTS: dict[str, tuple[str, ...]] = {
    "hizentra": HIZENTRA[HIZENTRA.index("--situation") :],
    "gamunex-c": (
        "--situation", "SC, patients ≥ 25 kg", "--situation", "SC, adults",
        "--max-volume-per-site", "30 mL",
        "--limits-source", "test protocol (not label data)",
    ),
    "gammagard-liquid": ("--situation", "SC, patients ≥ 40 kg"),
    "cuvitru": ("--situation", "later infusions"),
    "xembify": ("--situation", "adults and children ≥ 10 years"),
    "gammagard-liquid-erc": (),
    "hyqvia": HYQVIA[HYQVIA.index("--site-rate") :],
}  # fmt: skip


def test_every_sc_product_in_the_catalogue() -> None:
    """Each catalogue SC product plans (or, without vials, names --formulary)."""
    catalogue = default_catalogue()
    sc = {
        key
        for key in catalogue
        if {Route.SC, Route.FACILITATED_SC} & set(catalogue[key].routes)
    }
    assert sc == set(SC_PRODUCTS)
    common = HIZENTRA[: HIZENTRA.index("--situation")]
    for key, extra in SC_PRODUCTS.items():
        args = replace(common, "--product", key)
        if key == "hyqvia":
            args = replace(args, "--frequency", "same-as-ivig")
            i = args.index("--last-ivig")
            args = (*args[:i], "--first-dose", "2026-01-12", *args[i + 2 :])
            args = without(args, "--site-rate")
        result = cli(*args, *extra, "--format", "json")
        if catalogue[key].scig_conversion is None:  # Gammagard Liquid ERC
            assert result.returncode == EXIT_BAD_INPUT, key
            continue
        if not catalogue[key].vials:
            assert result.returncode == EXIT_BAD_INPUT, key
            assert "--formulary FILE" in result.stderr
            continue
        assert result.returncode == EXIT_OK, result.stderr
        plan = document(result)
        assert plan.product == catalogue[key].name
        assert plan.route is not Route.IV
        assert all(i.sc is not None and i.sc.sites >= 1 for i in plan.infusions)


def test_hyqvia_ramp_up() -> None:
    """HyQvia 30 g every 4 weeks: 7.5, 15, 22.5, 30 g at weeks 1, 2, 4, 7."""
    result = cli(*HYQVIA)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Route:          facilitated subcutaneous (with hyaluronidase)" in (
        result.stdout
    )
    table = rows(result.stdout)
    assert [(r[0], r[1], r[5]) for r in table] == [
        ("2026-01-12", "ramp_up", "7.5"),
        ("2026-01-19", "ramp_up", "15"),
        ("2026-02-02", "ramp_up", "22.5"),
        ("2026-02-23", "maintenance", "30"),
        ("2026-03-23", "maintenance", "30"),
    ]
    assert "- HyQvia ramp-up = 7.5 g on 2026-01-12" in result.stdout


def test_hyqvia_needs_a_first_dose_date() -> None:
    """HyQvia's start after the last IVIg is not in the reference: it is asked for."""
    for args in (
        without(HYQVIA, "--first-dose"),
        (*without(HYQVIA, "--first-dose"), "--last-ivig", "2026-01-05"),
    ):
        result = cli(*args)
        assert result.returncode == EXIT_BAD_INPUT
        assert result.stderr.startswith("ivig-core: error: --first-dose: ")
        assert "no first-dose date for HyQvia" in result.stderr


def test_cidp_preset() -> None:
    """--preset hizentra-cidp-0.2: 0.2 g/kg × 70 kg = 14 g a week, from +1 week."""
    result = cli(*CIDP)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Regimen:        hizentra-cidp-0.2" in result.stdout
    assert "Product:        Hizentra for cidp" in result.stdout
    assert [(r[0], r[3], r[5], r[8]) for r in rows(result.stdout)] == [
        ("2026-01-12", "0.20", "14", "2"),
        ("2026-01-19", "0.20", "14", "2"),
    ]
    assert "- course dose = 14 g" in result.stdout


def test_iga_deficiency_is_a_warning_not_a_block() -> None:
    """IgA deficiency with Hizentra (IgA ≤ 50 µg/mL): a warning, exit 0.

    No label read contraindicates IgA deficiency alone (issue 13); a site that
    wants a block raises the severity in its SafetyConfig.
    """
    result = cli(*HIZENTRA, "--risk-factor", "iga-deficiency")
    assert result.returncode == EXIT_OK, result.stderr
    assert "WARNING: IGA_DEFICIENCY_PRODUCT (plan)" in result.stdout
    assert "Status: READY to issue" in result.stdout


def test_hard_limit_blocks_and_writes_no_calendar() -> None:
    """HyQvia with a hyaluronidase hypersensitivity: exit 3, no calendar."""
    args = (*HYQVIA, "--risk-factor", "hyaluronidase-hypersensitivity")
    table = cli(*args)
    assert table.returncode == EXIT_BLOCKED
    assert "HARD_LIMIT: HYALURONIDASE_CONTRAINDICATION" in table.stdout
    ics = cli(*args, "--format", "ics")
    assert ics.returncode == EXIT_BLOCKED
    assert ics.stdout == ""
    assert "no calendar is written" in ics.stderr


def test_patient_file(tmp_path: Path) -> None:
    """--patient FILE works as for plan."""
    path = tmp_path / "patient.toml"
    path.write_text(
        'sex = "female"\nage = "54 year"\nheight = "165 cm"\nweight = "70 kg"\n',
        encoding="utf-8",
    )
    args = HIZENTRA
    for flag in ("--sex", "--age", "--height", "--weight"):
        args = without(args, flag)
    result = cli(*args, "--patient", str(path), "--format", "json")
    assert result.returncode == EXIT_OK, result.stderr
    assert cli(*HIZENTRA, "--format", "json").stdout == result.stdout


BAD_INPUT: list[tuple[tuple[str, ...], str]] = [
    (
        replace(HIZENTRA, "--product", "privigen"),
        "--product: Privigen is labelled for iv only",
    ),
    (replace(HIZENTRA, "--rule", "factor=0"), "--rule: a factor of 0.0 is not > 0"),
    (replace(HIZENTRA, "--rule", "factor=-1.3"), "--rule: a factor of -1.3 is not"),
    (replace(HIZENTRA, "--rule", "factor=x"), "--rule: got 'factor=x'"),
    (replace(HIZENTRA, "--rule", "us"), "--rule: got 'us'; allowed: label, 1:1"),
    (
        replace(HIZENTRA, "--ivig-interval", "0 week"),
        "--ivig-interval: an IVIg interval of 0 weeks cannot be converted",
    ),
    (replace(HIZENTRA, "--ivig-dose", "30"), "--ivig-dose: '30' has no unit"),
    (
        replace(HIZENTRA, "--frequency", "fortnightly"),
        "--frequency: got 'fortnightly'",
    ),
    (replace(HIZENTRA, "--frequency", "8-per-week"), "--frequency: got '8-per-week'"),
    (
        replace(HIZENTRA, "--frequency", "same-as-ivig"),
        "--frequency: Hizentra: the SC labels",
    ),
    (replace(HYQVIA, "--frequency", "weekly"), "--frequency: HyQvia's label"),
    (replace(HIZENTRA, "--situation", "later"), "--situation: got 'later'"),
    (
        replace(HIZENTRA, "--first-situation", "first"),
        "--first-situation: got 'first'; allowed: one of ['PI, first infusion'",
    ),
    (
        without(
            without(
                replace(
                    replace(CIDP, "--product", "gammagard-liquid"),
                    "--situation",
                    "SC, patients < 40 kg",
                ),
                "--max-sites",
            ),
            "--limits-source",
        ),
        (
            "--situation/--first-situation: the situation 'SC, patients < 40 kg' "
            "does not apply to a patient of 70 kg"
        ),
    ),
    (replace(HIZENTRA, "--cycles", "0"), "--cycles: got 0"),
    (replace(HIZENTRA, "--last-ivig", "5/1/2026"), "--last-ivig: got '5/1/2026'"),
    (
        replace(HIZENTRA, "--site-rate", "40 mL/h"),
        "site_rate: 40 mL/h per site is 25 mL/h above the label's 15 mL/h",
    ),
    (
        without(HIZENTRA, "--limits-source"),
        "--max-sites need --limits-source TEXT",
    ),
    (
        without(without(HIZENTRA, "--limits-source"), "--max-sites"),
        "--max-sites: not given; needed: a maximum number of sites",
    ),
    (
        (*HYQVIA, "--limits-source", "protocol"),
        "--limits-source goes with a --max-... site-limit option",
    ),
    (
        (*HYQVIA, "--max-sites", "4", "--limits-source", "p"),
        "--max-sites: got 4; allowed: nothing",
    ),
    (without(HIZENTRA, "--first-situation"), "--first-count needs --first-situation"),
    (without(HIZENTRA, "--first-count"), "--first-situation needs --first-count"),
    (
        without(HIZENTRA, "--rule"),
        "the following arguments are required: --rule (or --preset NAME)",
    ),
    (
        (*CIDP, "--rule", "label"),
        "--preset and --rule cannot be combined",
    ),
    (without(CIDP, "--maintenance-days"), "--preset needs --maintenance-days N"),
    (
        (*HIZENTRA, "--maintenance-days", "1"),
        "--maintenance-days goes with --preset",
    ),
    (replace(CIDP, "--preset", "hizentra-cidp"), "--preset: got 'hizentra-cidp'"),
    (
        (*HIZENTRA, "--formulary", "/nonexistent/formulary.toml"),
        "cannot read /nonexistent/formulary.toml",
    ),
    (without(HIZENTRA, "--situation"), "the following arguments are required: "),
]


@pytest.mark.parametrize(("args", "needle"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...], needle: str) -> None:
    """Bad input: exit 2, one line on stderr naming the option, nothing on stdout."""
    result = cli(*args)
    assert result.returncode == EXIT_BAD_INPUT, result.stdout
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_help_names_real_presets(capsys: pytest.CaptureFixture[str]) -> None:
    """The help's preset names are the SCIg presets; the options are listed."""
    assert main(["scig", "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    text = " ".join(out.split())
    unwrapped = "".join(out.split())  # argparse may wrap after a hyphen
    for name in SCIG_PRESETS:
        assert name in unwrapped
    for flag in ("--ivig-dose", "--rule", "--frequency", "--situation", "--formulary"):
        assert flag in text
    assert "Exit status: 0 ready to issue, 2 bad input, 3 blocked by safety." in text


def test_plot_option(tmp_path: Path) -> None:
    """--plot saves a plot of the SC course next to the table."""
    target = tmp_path / "sc.png"
    result = cli(*CIDP, "--plot", str(target))
    assert result.returncode == EXIT_OK, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")


def test_closed_days_move_sc_courses_as_for_iv() -> None:
    """--closed-date: an SC course on a closed day moves, the next counts from it.

    The Hizentra example starts on Monday 2026-01-12 and repeats weekly;
    with the centre closed on 2026-01-19, the second infusion moves to
    Tuesday 2026-01-20 and the third comes a week after it (2026-01-27).
    """
    plan = document(cli(*HIZENTRA, "--closed-date", "2026-01-19", "--format", "json"))
    assert [str(d) for d in plan.dates[:3]] == [
        "2026-01-12",
        "2026-01-20",
        "2026-01-27",
    ]
    assert any("2026-01-19" in note for note in plan.notes)
    preset = document(cli(*CIDP, "--closed-weekends", "--format", "json"))
    assert all(d.weekday() < 5 for d in preset.dates)


def test_closed_date_is_read_by_its_option() -> None:
    """A malformed --closed-date is refused naming the option (exit 2)."""
    result = cli(*HIZENTRA, "--closed-date", "19/01/2026")
    assert result.returncode == EXIT_BAD_INPUT
    assert "--closed-date" in result.stderr
