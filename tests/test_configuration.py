"""Settings come from the environment; the setup script explains itself when no suitable Python exists."""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


# The variables these tests set, and those of the deployment that would change what they see.
OWN_VARIABLES = {"DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "SECRET_KEY", "PERFBUDGET_DEMO", "BEHIND_HTTPS_PROXY",
                 "SECURE_COOKIES", "STATIC_COLLECTED", "STATIC_ROOT", "PRIVATE_STORAGE", "PRIVATE_ACCEL_REDIRECT",
                 "PRIVATE_FILES_DIR", "EMAIL_HOST", "EMAIL_BACKEND"}
KEY = "k" * 60


def run_under(env: dict, code: str, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if k not in OWN_VARIABLES and not k.startswith(("HSTS_", "S3_", "DJANGO_"))}
    return subprocess.run([sys.executable, *args, "-c", code] if code else [sys.executable, *args], cwd=ROOT,
                          env=base | {"DJANGO_SETTINGS_MODULE": "perfbudget.settings"} | env,
                          capture_output=True, text=True, timeout=120)


def values_under(env: dict, **expressions: str) -> dict:
    """Each expression (over `settings`) evaluated in a fresh process started with `env`."""
    code = ("import json, django; from django.conf import settings; django.setup();"
            f"print(json.dumps({{{', '.join(f'{name!r}: {expr}' for name, expr in expressions.items())}}}))")
    result = run_under(env, code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_under(env: dict) -> dict:
    return values_under(env, engine="settings.DATABASES['default']['ENGINE']",
                        name="str(settings.DATABASES['default']['NAME'])",
                        host="settings.DATABASES['default'].get('HOST', '')", debug="settings.DEBUG",
                        hosts="settings.ALLOWED_HOSTS", key="settings.SECRET_KEY")


def test_the_demo_uses_sqlite_safe_defaults_and_a_key_kept_in_the_checkout():
    current = settings_under({"PERFBUDGET_DEMO": "1"})
    assert current["engine"] == "django.db.backends.sqlite3"
    assert current["name"].endswith("db.sqlite3")
    assert current["debug"] is False
    assert current["hosts"] == ["127.0.0.1", "localhost", "[::1]"]
    assert current["key"] == (ROOT / ".secret_key").read_text().strip()
    assert len(current["key"]) >= 50


def test_the_demos_sqlite_file_takes_write_locks_at_begin_and_waits_for_the_other_process():
    # The demo's web server and worker are two processes on one file: a write transaction must not start as a reader
    # and fail when it upgrades ("database is locked"), and a writer waits for the other instead of failing.
    options = values_under({"PERFBUDGET_DEMO": "1"}, options="settings.DATABASES['default']['OPTIONS']")["options"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]


def test_without_a_key_outside_the_demo_the_start_stops_with_a_chinese_message():
    result = run_under({}, "import django; django.setup()")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "没有设置 SECRET_KEY" in result.stderr
    assert "PERFBUDGET_DEMO=1" in result.stderr


def test_database_url_selects_postgresql():
    current = settings_under({"DATABASE_URL": "postgres://app:secret@db.internal:5432/perfbudget",
                              "DEBUG": "true", "ALLOWED_HOSTS": "a.gov.cn, b.gov.cn", "SECRET_KEY": KEY})
    assert current["engine"] == "django.db.backends.postgresql"
    assert (current["name"], current["host"]) == ("perfbudget", "db.internal")
    assert current["debug"] is True
    assert current["hosts"] == ["a.gov.cn", "b.gov.cn"]
    assert current["key"] == KEY


HTTPS_SETTINGS = {"proxy": "settings.SECURE_PROXY_SSL_HEADER", "redirect": "settings.SECURE_SSL_REDIRECT",
                  "hsts": "settings.SECURE_HSTS_SECONDS", "subdomains": "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS",
                  "cookies": "[settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]",
                  "exempt": "settings.SECURE_REDIRECT_EXEMPT"}


def test_behind_an_https_proxy_the_scheme_header_redirect_hsts_and_secure_cookies_switch_on_together():
    on = values_under({"SECRET_KEY": KEY, "BEHIND_HTTPS_PROXY": "1"}, **HTTPS_SETTINGS)
    assert on == {"proxy": ["HTTP_X_FORWARDED_PROTO", "https"], "redirect": True, "hsts": 365 * 24 * 3600,
                  "subdomains": True, "cookies": [True, True], "exempt": ["^healthz$"]}
    assert values_under({"SECRET_KEY": KEY, "BEHIND_HTTPS_PROXY": "1", "HSTS_SECONDS": "3600"},
                        hsts="settings.SECURE_HSTS_SECONDS") == {"hsts": 3600}
    off = values_under({"SECRET_KEY": KEY}, **HTTPS_SETTINGS)
    assert off == {"proxy": None, "redirect": False, "hsts": 0, "subdomains": False, "cookies": [False, False],
                   "exempt": []}


def test_the_health_probe_is_the_one_path_exempt_from_the_https_redirect():
    [pattern] = values_under({"SECRET_KEY": KEY, "BEHIND_HTTPS_PROXY": "1"}, exempt="settings.SECURE_REDIRECT_EXEMPT")[
        "exempt"]
    # SecurityMiddleware matches the path without its leading slash
    assert re.search(pattern, "healthz") and not re.search(pattern, "healthz/x") and not re.search(pattern, "")


def test_collected_static_files_use_whitenoises_manifest_storage_and_the_demo_the_finders():
    names = {"storage": "settings.STORAGES['staticfiles']['BACKEND']", "finders": "settings.WHITENOISE_USE_FINDERS"}
    assert values_under({"SECRET_KEY": KEY, "STATIC_COLLECTED": "1"}, **names) == {
        "storage": "whitenoise.storage.CompressedManifestStaticFilesStorage", "finders": False}
    assert values_under({"SECRET_KEY": KEY}, **names) == {
        "storage": "django.contrib.staticfiles.storage.StaticFilesStorage", "finders": True}


def test_private_storage_is_local_by_default_or_s3_from_the_environment(tmp_path):
    local = values_under({"SECRET_KEY": KEY, "PRIVATE_FILES_DIR": str(tmp_path)},
                         private="{k: str(v) for k, v in settings.STORAGES['private']['OPTIONS'].items()}",
                         backend="settings.STORAGES['private']['BACKEND']")
    assert local == {"backend": "django.core.files.storage.FileSystemStorage",
                     "private": {"location": str(tmp_path), "base_url": "None"}}
    s3 = values_under({"SECRET_KEY": KEY, "PRIVATE_STORAGE": "s3", "S3_BUCKET": "perfbudget-files",
                       "S3_ENDPOINT_URL": "https://oss.example.gov.cn", "S3_ACCESS_KEY_ID": "AK",
                       "S3_SECRET_ACCESS_KEY": "SK", "S3_ADDRESSING_STYLE": "path"},
                      private="settings.STORAGES['private']")
    assert s3["private"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["private"]["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["access_key"], options["secret_key"]) == (
        "perfbudget-files", "https://oss.example.gov.cn", "AK", "SK")
    assert (options["default_acl"], options["querystring_auth"], options["addressing_style"]) == (
        "private", True, "path")


def test_s3_storage_refuses_an_nginx_redirect_and_an_unknown_storage_is_refused():
    code = "import django; django.setup()"
    s3 = run_under({"SECRET_KEY": KEY, "PRIVATE_STORAGE": "s3", "S3_BUCKET": "b",
                    "PRIVATE_ACCEL_REDIRECT": "/_private/"}, code)
    assert s3.returncode != 0 and "PRIVATE_ACCEL_REDIRECT" in s3.stderr
    assert "S3_BUCKET" in run_under({"SECRET_KEY": KEY, "PRIVATE_STORAGE": "s3"}, code).stderr
    assert "只能是 local 或 s3" in run_under({"SECRET_KEY": KEY, "PRIVATE_STORAGE": "nfs"}, code).stderr


def documented_production_environment() -> dict[str, str]:
    lines = (ROOT / "deploy" / "perfbudget.env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_check_deploy_reports_nothing_with_the_documented_production_environment(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    env |= documented_production_environment() | {"SECRET_KEY": secrets.token_urlsafe(50)}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("System check identified no issues"), result.stdout
    assert result.stderr == ""


def test_every_environment_variable_the_settings_read_is_documented():
    names = set(re.findall(r'(?:env_(?:bool|int|list)\(|os\.environ\.get\(|os\.environ\[)"([A-Z0-9_]+)"',
                           (ROOT / "perfbudget" / "settings.py").read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## 配置"):readme.index("\n## ", readme.index("## 配置") + 1)]
    assert {"SECRET_KEY", "BEHIND_HTTPS_PROXY", "PRIVATE_STORAGE"} <= names
    assert sorted(name for name in names if f"`{name}`" not in table) == []
    example = documented_production_environment()
    assert sorted(name for name in example if f"`{name}`" not in table) == []


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


# bin/run: the web server and the worker run together and stop together (its run_together, tried on stand-ins that
# each start a child of their own, as runserver's autoreloader does).
STAND_IN = """import os, pathlib, subprocess, sys, time
directory, name = pathlib.Path(sys.argv[1]), sys.argv[2]
if name == "ends":  # ends on its own with status 3 once the other one runs
    while not (directory / "web.pids").exists():
        time.sleep(0.05)
    sys.exit(3)
child = subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(1)"])
(directory / (name + ".tmp")).write_text(f"{os.getpid()} {child.pid}")
(directory / (name + ".tmp")).rename(directory / (name + ".pids"))
while True:
    time.sleep(1)
"""


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has stopped; its parent may not have reaped it yet


def wait_until(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def run_together(tmp_path, *names: str) -> subprocess.Popen:
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    commands = " ".join(f'"{sys.executable} {script} {tmp_path} {name}"' for name in names)
    return subprocess.Popen(["bash", "-c", f"source bin/run; run_together {commands}"], cwd=ROOT,
                            start_new_session=True)


def pids(tmp_path, name: str) -> list[int]:
    return [int(pid) for pid in (tmp_path / f"{name}.pids").read_text().split()]


def kill_leftovers(together: subprocess.Popen, tmp_path) -> None:
    """After a failure: nothing of the test keeps running."""
    together.kill()
    for recorded in tmp_path.glob("*.pids"):
        for pid in pids(tmp_path, recorded.stem):
            if running(pid):
                os.kill(pid, signal.SIGKILL)


def test_ctrl_c_stops_the_web_server_and_the_worker_with_everything_they_started(tmp_path):
    together = run_together(tmp_path, "web", "worker")
    try:
        wait_until(lambda: (tmp_path / "web.pids").exists() and (tmp_path / "worker.pids").exists())
        started = pids(tmp_path, "web") + pids(tmp_path, "worker")
        assert all(running(pid) for pid in started)
        together.send_signal(signal.SIGINT)
        assert together.wait(timeout=30) == 130
        wait_until(lambda: not any(running(pid) for pid in started))
    finally:
        kill_leftovers(together, tmp_path)


def test_when_one_of_them_ends_the_other_is_stopped_and_its_status_is_returned(tmp_path):
    together = run_together(tmp_path, "web", "ends")
    try:
        assert together.wait(timeout=30) == 3
        wait_until(lambda: not any(running(pid) for pid in pids(tmp_path, "web")))
    finally:
        kill_leftovers(together, tmp_path)


def test_collected_static_files_are_named_by_hash_and_cached_for_good(tmp_path):
    # A stand-in for what `collectstatic` writes (the real run takes minutes): one file and the manifest naming it.
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.0123456789ab.css").write_text("body { margin: 0 }")
    (tmp_path / "staticfiles.json").write_text(json.dumps(
        {"paths": {"css/app.css": "css/app.0123456789ab.css"}, "version": "1.1", "hash": "0"}))
    code = ("import json, django; django.setup();"
            "from django.templatetags.static import static; from django.test import Client;"
            "url = static('css/app.css'); response = Client().get(url);"
            "print(json.dumps([url, response.status_code, response['Cache-Control']]))")
    result = run_under({"SECRET_KEY": KEY, "STATIC_COLLECTED": "1", "STATIC_ROOT": str(tmp_path)}, code)
    assert result.returncode == 0, result.stderr
    url, status, cache = json.loads(result.stdout)
    assert url == "/static/css/app.0123456789ab.css"
    assert status == 200
    assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
