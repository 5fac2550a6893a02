"""Theme files shipped with perftui (Textual Theme fields as TOML); loaded by perftui.ui.themes."""

from pathlib import Path

THEMES_DIR = Path(__file__).parent
