"""``python3 -m anodemech`` = the ``anodemech`` console script."""

from anodemech.cli import main

raise SystemExit(main())
