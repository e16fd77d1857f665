"""The code of the how-to docs/how-to/cli.rst, as a script.

Generated from the page's examples by tests/test_examples.py; run it
from anywhere: it writes only into a temporary directory if at all.
"""


if __name__ == "__main__":
    import os
    os.environ["COLUMNS"] = "80"
    from ivig_core.cli import main
    print(main(['example']))
    print(main(['scig', '--sex', 'female', '--age', '54', '--height', '165 cm', '--weight', '70 kg', '--ivig-dose', '30 g', '--ivig-interval', '4 week', '--product', 'hizentra', '--rule', 'label', '--frequency', 'weekly', '--last-ivig', '2026-01-05', '--cycles', '4', '--policy', 'actual', '--rounding', 'never-below', '--site-rate', 'label-maximum', '--situation', 'PI, later infusions', '--first-situation', 'PI, first infusion', '--first-count', '1', '--max-sites', '4', '--limits-source', 'infusion-centre protocol 12']))
    import contextlib, io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        main(["scig", "--sex", "female", "--age", "54", "--height", "165 cm",
              "--weight", "70 kg", "--ivig-dose", "30 g", "--ivig-interval",
              "4 week", "--product", "privigen", "--rule", "label", "--frequency",
              "weekly", "--last-ivig", "2026-01-05", "--cycles", "4", "--policy",
              "actual", "--rounding", "never-below", "--site-rate", "label-maximum",
              "--situation", "PI, later infusions"])
    print(err.getvalue().strip())
    from ivig_core.cli import EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_OK
    from ivig_core.cli import EXIT_PIPE
    print((EXIT_OK, EXIT_BAD_INPUT, EXIT_BLOCKED, EXIT_PIPE))
    import contextlib, io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        main(["weight", "--sex", "female", "--age", "54", "--height", "165 cm",
              "--weight", "92"])
    print(err.getvalue().strip())
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        main(["plan", "--sex", "female", "--age", "54", "--height", "165 cm",
              "--weight", "92 kg", "--preset", "dm-privigen-1gkg-2d-4w",
              "--cycles", "2", "--product", "octagam-10",
              "--indication", "dermatomyositis", "--start", "2026-01-05",
              "--policy", "ideal", "--rounding", "never-below",
              "--rate-weight", "dosing", "--rate-increment", "0 mg/kg/min",
              "--rate-interval", "30 min"])
    print(err.getvalue().strip())
