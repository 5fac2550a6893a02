"""(6) Summaries, comparisons and exports of sessions: the same views, no UI."""
