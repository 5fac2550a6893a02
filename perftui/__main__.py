from perftui.cli import main

raise SystemExit(main())
