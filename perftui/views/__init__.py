"""(4) Model -> frozen views: what the panes, the drill-downs and the reports read."""
