"""One module per kind of finding.  Each has ``KIND`` (its name), ``NEEDS`` (the data it
cannot judge without: see perftui.findings.base.Data), ``ADVICE`` (the usual fix) and
``detect(span) -> list[Finding]``; thresholds and their reasons are in its docstring and in
docs/findings.md.  perftui.findings.catalog lists them."""
