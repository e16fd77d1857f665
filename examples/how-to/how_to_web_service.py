"""The code of the how-to docs/how-to/web-service.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from ivig_core.service import ServiceConfig, create_app, discovery
    for service in discovery()["services"]:
        print(service["id"], service["hook"], sorted(service["prefetch"]))
    import json
    from pathlib import Path
    from fastapi.testclient import TestClient
    from ivig_core.infusion import rate_schedule
    from ivig_core.planning import SplitLimits
    from ivig_core.planning.split import EightyGramRule
    from ivig_core.products import get_product
    octagam = get_product("octagam 10%")
    config = ServiceConfig(
        policy="actual", rounding="never-below", rate_weight="dosing",
        max_age=dt.timedelta(days=365),
        rate_schedules={("octagam-10", "dermatomyositis"): rate_schedule(
            octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min")},
        split_limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="day")),
        today=lambda: dt.date(2026, 1, 5))
    client = TestClient(create_app(config))
    print(client.get('/cds-services').status_code)
    request = json.loads(Path("examples/cds-hooks/order-sign.json").read_text())
    response = client.post("/cds-services/ivig-order-sign", json=request)
    print(response.status_code)
    cards = response.json()["cards"]
    codes = {card["summary"].split(":")[0]: card["indicator"] for card in cards}
    print((codes['DAILY_DOSE_ABOVE_80G'], codes['IGA_NOT_MEASURED'], codes['PREMEDICATION']))
    eighty = next(c for c in cards if c["summary"].startswith("DAILY_DOSE_ABOVE_80G"))
    print(eighty["detail"].split(". ")[0])
    suggestion = eighty["suggestions"][0]
    print(suggestion['label'])
    dosage = suggestion["actions"][0]["resource"]["dosageInstruction"][0]
    print((dosage['timing']['repeat']['count'], dosage['doseAndRate'][0]['doseQuantity']['value']))
    bad = json.loads(json.dumps(request))
    bad["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"][0][
        "doseAndRate"][0]["doseQuantity"]["code"] = "mg"
    response = client.post("/cds-services/ivig-order-sign", json=bad)
    print((response.status_code, response.json()['field']))
    print(response.json()["allowed"])
    del bad["prefetch"]["observations"]
    response = client.post("/cds-services/ivig-order-sign", json=bad)
    print((response.status_code, response.json()['error'], response.json()['field']))
    from ivig_core import load_protocol
    district = load_protocol("examples/protocols/district-hospital.toml")
    site = ServiceConfig(protocol=district, max_age=dt.timedelta(days=365),
                         today=lambda: dt.date(2026, 1, 5))
    order = json.loads(json.dumps(request))
    draft = order["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"] = {"text": "Gammaplex 5 %"}
    draft["reasonCode"] = [{"text": "itp"}]
    response = TestClient(create_app(site)).post("/cds-services/ivig-order-sign",
                                                 json=order)
    print(response.status_code)
    print({card['source']['label'] for card in response.json()['cards']})
    response = client.post("/cds-services/ivig-order-sign", json=order)
    print((response.status_code, response.json()['field']))
    try:
        ServiceConfig(rounding="never-below", rate_weight="dosing", max_age=None)
    except Exception as exc:  # noqa: BLE001 - the page shows this refusal
        print(f"refused: {exc}")
    from hypothesis import given, settings, strategies as st
    from ivig_core.service import handle
    order = "context.draftOrders.entry.0.resource"
    PATHS = ["hook", "hookInstance", "context.patientId", "context.draftOrders",
             f"{order}.medicationCodeableConcept", f"{order}.reasonCode",
             f"{order}.dosageInstruction", "prefetch.patient", "prefetch.observations"]
    def spoil(body, path, value):
        body = json.loads(json.dumps(body))
        *parents, last = path.split(".")
        node = body
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
        return body
    junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                     st.text(max_size=8), st.lists(st.integers(), max_size=2),
                     st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))
    @settings(max_examples=30, deadline=None, database=None, derandomize=True)
    @given(path=st.sampled_from(PATHS), value=junk)
    def test_cards_or_an_error_naming_the_field(path, value):
        status, body = handle("ivig-order-sign", spoil(request, path, value), config)
        assert status in (200, 400, 412)
        if status != 200:
            assert body["field"] and body["allowed"]
    test_cards_or_an_error_naming_the_field()
