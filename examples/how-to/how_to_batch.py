"""The code of the how-to docs/how-to/batch.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import datetime as dt
    from ivig_core import Patient
    from ivig_core.batch import PlanFailure, plan_many
    from ivig_core.infusion import rate_schedule
    from ivig_core.planning import ClosedDays
    from ivig_core.regimen import get_preset
    regimen = get_preset("dm-privigen-1gkg-2d-4w").choose(cycles=3)
    schedule = rate_schedule("octagam 10%", "dermatomyositis",
                             increment="1 mg/kg/min", interval="30 min")
    def request(key, patient):
        return dict(
            key=key, patient=patient, regimen=regimen, product="octagam 10%",
            start=dt.date(2026, 1, 5), policy="ideal", rounding="never-below",
            indication="dermatomyositis", rate_weight="dosing",
            rate_schedule=schedule, closed=ClosedDays.weekends())
    rows = {
        "MRN-001": {"sex": "female", "age": "54 year", "height": "165 cm",
                    "weight": "92 kg"},
        "MRN-002": {"sex": "male", "age": "61 year", "height": "178 cm",
                    "weight": 80},
        "MRN-003": {"sex": "female", "age": "47 year", "height": "147 cm",
                    "weight": "58 kg"},
        "MRN-004": {"sex": "male", "age": "66 year", "height": "5 ft 11 in",
                    "weight": "229 lb"},
    }
    results = plan_many(request(key, row) for key, row in rows.items())
    for key, result in zip(rows, results):
        if isinstance(result, PlanFailure):
            print(key, "refused:", result.error_type, result.field)
        else:
            print(key, f"{result.total_dispensed_g:g} g over",
                  len(result.infusions), "infusions")
    failure = results[1]
    print((failure.index, failure.key))
    print(failure.message)
    pooled = plan_many([request(key, row) for key, row in rows.items()],
                       processes=2)
    print(pooled == results)
    import dask.bag as db
    from ivig_core.batch import plan_one
    requests = [request(key, row) for key, row in rows.items()]
    bag = db.from_sequence(list(enumerate(requests)), npartitions=2)
    on_dask = bag.map(lambda item: plan_one(item[1], item[0])).compute(
        scheduler="processes", num_workers=2)
    print(on_dask == results)
