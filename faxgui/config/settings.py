"""The settings file: a JSON object of the registered options, written atomically.

A file that cannot be read is never dropped silently: it is renamed to a
backup beside it and the app starts on defaults with a warning saying where
the old file went. Options this version does not know (written by a newer
faxgui) are kept as they are.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from faxgui.config.options import OPTIONS, Option, OptionValueError

T = TypeVar("T")

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"


def settings_path() -> Path:
    """Where the settings file lives (honours XDG_CONFIG_HOME and the platform conventions)."""
    return Path(platformdirs.user_config_dir("faxgui", appauthor=False)) / FILE_NAME


class Settings:
    """The current value of every option, loaded from and saved to one JSON file."""

    def __init__(self, path: Path, values: dict[str, Any], extra: dict[str, Any]) -> None:
        self.path = path
        self._values = values
        self._extra = extra
        self.warnings: list[str] = []

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The settings in `path` (default: `settings_path()`); defaults where it has none."""
        path = path or settings_path()
        settings = cls(path, {name: opt.default for name, opt in OPTIONS.items()}, {})
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return settings
        except (OSError, UnicodeDecodeError) as exc:
            settings._set_aside(f"it could not be read ({exc.__class__.__name__})")
            return settings
        try:
            stored = json.loads(text)
        except json.JSONDecodeError as exc:
            settings._set_aside(f"it is not valid JSON (line {exc.lineno})")
            return settings
        if not isinstance(stored, dict):
            settings._set_aside("it does not hold a set of named settings")
            return settings
        for name, raw in stored.items():
            option = OPTIONS.get(name)
            if option is None:
                settings._extra[name] = raw
                continue
            try:
                settings._values[name] = option.coerce(raw)
            except OptionValueError as exc:
                settings._warn(
                    f"The setting “{name}” in {path} was not valid ({exc}); "
                    f"faxgui is using the default, {option.to_json(option.default)!r}."
                )
        return settings

    def get(self, option: Option[T]) -> T:
        """The current value of `option`."""
        value: T = self._values[option.name]
        return value

    def set(self, option: Option[T], value: object) -> None:
        """Change `option` in memory (call `save()` to keep it); OptionValueError if invalid."""
        self._values[option.name] = option.coerce(value)

    def save(self) -> None:
        """Write every option to the file atomically: readers see the old file or the new one."""
        data = dict(self._extra)
        for name, option in OPTIONS.items():
            data[name] = option.to_json(self._values[name])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as tmp:
                json.dump(data, tmp, indent=2, sort_keys=True, ensure_ascii=False)
                tmp.write("\n")
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, self.path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        log.debug("Settings saved to %s", self.path)

    def _set_aside(self, reason: str) -> None:
        backup = _free_backup_path(self.path)
        try:
            os.replace(self.path, backup)
        except OSError as exc:
            self._warn(
                f"The settings file {self.path} was not used because {reason}, and it could "
                f"not be moved aside ({exc.strerror}). faxgui started with default settings; "
                "changing a setting will replace that file."
            )
            return
        self._warn(
            f"The settings file {self.path} was not used because {reason}. faxgui started "
            f"with default settings; the old file was kept as {backup}."
        )

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)


def _free_backup_path(path: Path) -> Path:
    """`settings.json.bak`, or the first `settings.json.bak.N` not already holding a backup."""
    candidate = path.with_name(path.name + ".bak")
    number = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak.{number}")
        number += 1
    return candidate
