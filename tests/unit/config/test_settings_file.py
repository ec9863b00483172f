"""The settings file on disk: defaults, round trips, atomic writes, damaged files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from faxgui.config.endpoints import EndpointKind
from faxgui.config.options import (
    ACCOUNT_USERNAME,
    ENDPOINT_KIND,
    NETWORK_TIMEOUT_S,
    SANDBOX_SPEED,
)
from faxgui.config.settings import Settings, settings_path


def test_settings_live_in_the_user_config_dir(private_home: Path) -> None:
    assert settings_path() == private_home / "config" / "faxgui" / "settings.json"


def test_no_file_means_defaults_and_no_warning() -> None:
    settings = Settings.load()
    assert settings.get(ENDPOINT_KIND) is EndpointKind.SANDBOX
    assert settings.get(SANDBOX_SPEED) == 10.0
    assert settings.warnings == []
    assert not settings_path().exists()


def test_saved_settings_come_back_after_a_restart() -> None:
    settings = Settings.load()
    settings.set(ENDPOINT_KIND, EndpointKind.PRODUCTION)
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    settings.set(NETWORK_TIMEOUT_S, 60)
    settings.save()

    again = Settings.load()
    assert again.get(ENDPOINT_KIND) is EndpointKind.PRODUCTION
    assert again.get(ACCOUNT_USERNAME) == "frontdesk"
    assert again.get(NETWORK_TIMEOUT_S) == 60.0
    stored = json.loads(settings_path().read_text(encoding="utf-8"))
    assert stored["endpoint.kind"] == "production"


def test_saving_leaves_no_temporary_files_behind() -> None:
    settings = Settings.load()
    for speed in (1.0, 2.0, 3.0):
        settings.set(SANDBOX_SPEED, speed)
        settings.save()
    assert sorted(p.name for p in settings_path().parent.iterdir()) == ["settings.json"]


def test_a_failed_save_keeps_the_previous_file_intact(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.load()
    settings.set(ACCOUNT_USERNAME, "before")
    settings.save()

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    settings.set(ACCOUNT_USERNAME, "after")
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", refuse)
        with pytest.raises(OSError, match="No space left"):
            settings.save()

    assert Settings.load().get(ACCOUNT_USERNAME) == "before"
    assert sorted(p.name for p in settings_path().parent.iterdir()) == ["settings.json"]


def test_a_corrupt_file_is_kept_as_a_backup_and_defaults_are_used() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"endpoint.kind": "production", ', encoding="utf-8")

    settings = Settings.load()

    assert settings.get(ENDPOINT_KIND) is EndpointKind.SANDBOX
    backup = path.with_name("settings.json.bak")
    assert backup.read_text(encoding="utf-8") == '{"endpoint.kind": "production", '
    assert len(settings.warnings) == 1
    assert "not valid JSON" in settings.warnings[0]
    assert str(backup) in settings.warnings[0]


def test_an_older_backup_is_never_overwritten() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.with_name("settings.json.bak").write_text("first", encoding="utf-8")
    path.write_text("second", encoding="utf-8")

    Settings.load()

    assert path.with_name("settings.json.bak").read_text(encoding="utf-8") == "first"
    assert path.with_name("settings.json.bak.1").read_text(encoding="utf-8") == "second"


def test_a_file_that_is_not_an_object_is_set_aside() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("[1, 2, 3]", encoding="utf-8")

    settings = Settings.load()

    assert "does not hold a set of named settings" in settings.warnings[0]
    assert path.with_name("settings.json.bak").exists()


def test_one_bad_value_falls_back_to_its_default_and_keeps_the_rest() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"endpoint.kind": "staging", "account.username": "frontdesk"}),
        encoding="utf-8",
    )

    settings = Settings.load()

    assert settings.get(ENDPOINT_KIND) is EndpointKind.SANDBOX
    assert settings.get(ACCOUNT_USERNAME) == "frontdesk"
    assert len(settings.warnings) == 1
    assert "endpoint.kind" in settings.warnings[0]
    assert "'sandbox'" in settings.warnings[0]


def test_settings_from_a_newer_version_survive_a_save() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"compose.cover_page": True}), encoding="utf-8")

    settings = Settings.load()
    settings.set(ACCOUNT_USERNAME, "frontdesk")
    settings.save()

    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["compose.cover_page"] is True
    assert stored["account.username"] == "frontdesk"
    assert settings.warnings == []
