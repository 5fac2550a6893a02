"""Load and validate the theme files shipped in ``themes/`` (Textual ``Theme`` fields as TOML).

A theme file with a typo should fail loudly with the file and the field, not render in the
fallback colours and leave the user guessing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from perftui.themes import THEMES_DIR

# The order `t` cycles through; the first is the default.
THEME_NAMES = ("perftui-dark", "perftui-light", "perftui-high-contrast")
DEFAULT_THEME = THEME_NAMES[0]

_COLOUR_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent",
                  "foreground", "background", "surface", "panel", "boost")
_FLOAT_FIELDS = ("luminosity_spread", "text_alpha")
_ALLOWED = {"name", "dark", "variables", *_COLOUR_FIELDS, *_FLOAT_FIELDS}


class ThemeError(ValueError):
    """A theme file that cannot be used, with the file and the reason."""


def _check_colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{path}: {key} must be a colour string, not {value!r}")
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise ThemeError(f"{path}: {key} = {value!r} is not a colour ({exc})") from None
    return value


def theme_from_dict(data: dict[str, Any], path: Path) -> Theme:
    """Validate one parsed theme file and build the Textual ``Theme``."""
    unknown = sorted(set(data) - _ALLOWED)
    if unknown:
        raise ThemeError(f"{path}: unknown field(s) {', '.join(unknown)}; "
                         f"allowed: {', '.join(sorted(_ALLOWED))}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ThemeError(f"{path}: `name` (a non-empty string) is required")
    if "primary" not in data:
        raise ThemeError(f"{path}: `primary` (a colour) is required")
    colours = {k: _check_colour(path, k, data[k]) for k in _COLOUR_FIELDS if k in data}
    floats: dict[str, float] = {}
    for key in _FLOAT_FIELDS:
        if key in data:
            value = data[key]
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ThemeError(f"{path}: {key} must be a number from 0 to 1, not {value!r}")
            floats[key] = float(value)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"{path}: dark must be true or false, not {dark!r}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in variables.items()):
        raise ThemeError(f"{path}: [variables] must map names to strings")
    fields: dict[str, Any] = {**colours, **floats}
    return Theme(name=name, dark=dark, variables=dict(variables), **fields)


def load_theme_file(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: not valid TOML ({exc})") from None
    theme = theme_from_dict(data, path)
    if theme.name != path.stem:
        raise ThemeError(f"{path}: name {theme.name!r} does not match the file name")
    return theme


def load_themes(directory: Path = THEMES_DIR) -> dict[str, Theme]:
    """Every ``*.toml`` theme in ``directory``, shipped ones first in cycling order."""
    found = {t.name: t for t in map(load_theme_file, sorted(directory.glob("*.toml")))}
    missing = [n for n in THEME_NAMES if n not in found]
    if directory == THEMES_DIR and missing:
        raise ThemeError(f"{directory}: shipped theme(s) missing: {', '.join(missing)}")
    ordered = {n: found[n] for n in THEME_NAMES if n in found}
    ordered.update(found)
    return ordered
