"""``python -m analystkit`` runs the command-line interface."""

from analystkit.cli import main

raise SystemExit(main())
