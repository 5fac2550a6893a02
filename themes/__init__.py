"""Theme files shipped with perftui (Textual Theme fields as TOML); loaded by perftui.ui.themes."""

from pathlib import Path

THEMES_DIR = Path(__file__).parent


def names() -> list[str]:
    """The themes' names (their files'), without reading them."""
    return sorted(p.stem for p in THEMES_DIR.glob("*.toml"))
