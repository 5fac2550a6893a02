"""``python -m perftui``: the perftui command."""

from perftui.cli import main

raise SystemExit(main())
