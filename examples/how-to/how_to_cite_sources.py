"""The code of the how-to docs/how-to/cite-sources.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    from ivig_core.sources import get_source
    label = get_source("octagam10-uspi")
    print((label.kind.value, label.version))
    print(label.citation)
    print(get_source("octagam5-uspi").citation)
    summary = get_source("droracle-privigen-dm")
    print(summary.is_weak)
    print(summary.citation)
    try:
        get_source("privigen-label")
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from ivig_core.sources import cite, cite_each, cited
    print(cited("total dose rounded to the nearest 5 g", "ontario-ig-calculator"))
    for line in cite_each(["jnd-2023-scig-taper", "procid-2022"]):
        print(line)
    from ivig_core.sources import check_ids
    print(check_ids(['ice-2008', 'procid-2022'], field='regimen.sources'))
