"""A CDS Hooks order-sign call, answered without a web server.

The request in cds-hooks/order-sign.json is what an EHR posts to
``/cds-services/ivig-order-sign``: a draft Octagam 10 % order of 1 g/kg a
day for 2 days, with the patient, her observations and a diabetes Condition
prefetched. ``handle`` is what the FastAPI route calls; ``ivig-core serve``
serves the same thing over HTTP. Needs the ``fhir`` extra (the ``service``
extra for the HTTP server).
"""

import datetime as dt
import json
from pathlib import Path

from ivig_core.infusion import rate_schedule
from ivig_core.planning import SplitLimits
from ivig_core.planning.split import EightyGramRule
from ivig_core.products import get_product
from ivig_core.service import ServiceConfig, handle


REQUEST = Path(__file__).parent / "cds-hooks" / "order-sign.json"

octagam = get_product("octagam 10%")
config = ServiceConfig(  # the site's choices, made once at start-up
    policy="actual",
    rounding="never-below",
    rate_weight="dosing",
    max_age=dt.timedelta(days=365),
    rate_schedules={
        ("octagam-10", "dermatomyositis"): rate_schedule(
            octagam, "dermatomyositis", increment="1 mg/kg/min", interval="30 min"
        )
    },
    split_limits=SplitLimits(eighty_gram_rule=EightyGramRule(applies_to="day")),
    today=lambda: dt.date(2026, 1, 5),
)
status, body = handle("ivig-order-sign", json.loads(REQUEST.read_text()), config)
print("HTTP", status)
for card in body["cards"]:
    print(f"[{card['indicator']}] {card['summary']}")
    for suggestion in card.get("suggestions", []):
        print("    suggestion:", suggestion["label"])
