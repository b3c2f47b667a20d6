"""Settings come from the environment; the setup script explains itself when no suitable Python exists."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def settings_under(env: dict) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "db = settings.DATABASES['default'];"
        "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST', ''),"
        " 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'key': settings.SECRET_KEY}))"
    )
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base | {"DJANGO_SETTINGS_MODULE": "perfbudget.settings"} | env,
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)


def test_zero_configuration_uses_sqlite_and_safe_defaults():
    current = settings_under({})
    assert current["engine"] == "django.db.backends.sqlite3"
    assert current["name"].endswith("db.sqlite3")
    assert current["debug"] is False
    assert current["hosts"] == ["127.0.0.1", "localhost", "[::1]"]
    assert len(current["key"]) >= 50


def test_database_url_selects_postgresql():
    current = settings_under({"DATABASE_URL": "postgres://app:secret@db.internal:5432/perfbudget",
                              "DEBUG": "true", "ALLOWED_HOSTS": "a.gov.cn, b.gov.cn", "SECRET_KEY": "k" * 60})
    assert current["engine"] == "django.db.backends.postgresql"
    assert (current["name"], current["host"]) == ("perfbudget", "db.internal")
    assert current["debug"] is True
    assert current["hosts"] == ["a.gov.cn", "b.gov.cn"]
    assert current["key"] == "k" * 60


def test_language_and_time_zone_are_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


@pytest.mark.skipif(shutil.which("bash") is None, reason="the setup script is a bash script")
def test_setup_says_clearly_when_no_python_312_exists(tmp_path):
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "setup", tmp_path / "bin" / "setup")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    fake = tmp_path / "fakebin"
    fake.mkdir()
    # Report every system package as installed, so the test never reaches apt-get.
    (fake / "dpkg-query").write_text("#!/bin/sh\nprintf 'install ok installed'\n")
    # The only Python on the path is too old.
    ran = tmp_path / "old-python-ran"
    (fake / "python3").write_text(f"#!/bin/sh\ntouch {ran}\necho 'Python 3.11.2' >&2\nexit 1\n")
    for script in fake.iterdir():
        script.chmod(0o755)
    for tool in ("dirname", "grep", "id", "rm", "touch"):
        (fake / tool).symlink_to(shutil.which(tool))
    env = {"PATH": str(fake), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    result = subprocess.run([shutil.which("bash"), "bin/setup"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "没有找到 Python 3.12 或更高版本" in result.stderr
    assert not (tmp_path / ".venv").exists()
    assert ran.exists()  # the script did look at the only python3 there was


@pytest.mark.parametrize(
    "path",
    ["/static/vendor/bootstrap/css/bootstrap.min.css", "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
     "/static/django_htmx/htmx-2.min.js", "/static/admin/css/base.css"],
)
def test_vendor_assets_are_served_by_the_app_itself(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


@pytest.mark.parametrize(("url", "status", "heading"), [
    ("/filings/999999999/", 404, "页面不存在"),
    ("/no-such-page/", 404, "页面不存在"),
])
def test_error_pages_are_in_chinese(client, db, django_user_model, url, status, heading):
    client.force_login(django_user_model.objects.create_user("error-page-visitor"))
    response = client.get(url)
    assert response.status_code == status
    assert heading in response.content.decode()


def test_a_csrf_failure_explains_itself_in_chinese(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
