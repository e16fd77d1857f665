"""``python -m ivig_core``: the ``ivig-core`` command (:func:`ivig_core.cli.main`)."""

from ivig_core.cli import main


raise SystemExit(main())
