"""The install scripts and the lock: bin/setup, bin/lock, requirements/app.lock, and the PostgreSQL pool setting."""

import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import dj_database_url
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "app.lock"


def locked() -> dict[str, tuple[str, list[str]]]:
    """normalized name -> (version, hashes) from requirements/app.lock."""
    entries = {}
    text = re.sub(r"\\\n\s*", " ", LOCK.read_text())  # join continuation lines
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement_part, _, options = line.partition(" --hash=")
        requirement = Requirement(requirement_part.strip())
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        hashes = re.findall(r"sha256:(\S+)", "--hash=" + options)
        entries[canonicalize_name(requirement.name)] = (specifier.version, hashes)
    return entries


def test_lock_pins_every_dependency_within_its_range_with_hashes():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = locked()
    for dependency in map(Requirement, dependencies):
        name = canonicalize_name(dependency.name)
        assert name in pins, f"{name} is not in {LOCK.name}: run bin/lock"
        version, _ = pins[name]
        assert dependency.specifier.contains(version, prereleases=True), f"{name}=={version} not in {dependency}"
        for extra in dependency.extras:  # psycopg[binary,pool] brings psycopg-binary and psycopg-pool
            assert canonicalize_name(f"{dependency.name}-{extra}") in pins
    for name, (_version, hashes) in pins.items():
        assert hashes, f"{name} has no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
    assert "psycopg2-binary" not in pins


def load_lock_script():
    loader = importlib.machinery.SourceFileLoader("bin_lock", str(ROOT / "bin" / "lock"))
    spec = importlib.util.spec_from_loader("bin_lock", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_lock_marks_a_package_only_one_python_needs(monkeypatch):
    lock = load_lock_script()
    monkeypatch.setattr(lock, "hashes", lambda name, version: [f"{name}-{version}".ljust(64, "0")])
    lines = lock.lock_lines({
        "3.12": {"django": ("Django", "6.1.3"), "typing-extensions": ("typing_extensions", "4.16.0")},
        "3.13": {"django": ("Django", "6.1.3")},
    })
    assert lines[0] == "Django==6.1.3 \\"
    assert lines[2] == 'typing_extensions==4.16.0 ; python_version == "3.12" \\'


def test_lock_keeps_wheels_supported_pythons_can_install():
    lock = load_lock_script()
    assert lock.wheel_fits("Django-6.1.3-py3-none-any.whl")
    assert lock.wheel_fits("psycopg_binary-3.3.9-cp313-cp313-manylinux_2_28_x86_64.whl")
    assert lock.wheel_fits("cffi-2.1.1-cp312-cp312-musllinux_1_1_x86_64.whl")
    assert lock.wheel_fits("argon2_cffi_bindings-26.2.0-cp39-abi3-manylinux_2_28_x86_64.whl")
    assert not lock.wheel_fits("psycopg_binary-3.3.9-cp311-cp311-manylinux_2_28_x86_64.whl")
    assert not lock.wheel_fits("psycopg_binary-3.3.9-cp313-cp313t-manylinux_2_28_x86_64.whl")


def run_setup_copy(tmp_path, *arguments):
    """bin/setup in an empty scratch checkout, so nothing touches this checkout's virtual environment."""
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "setup", tmp_path / "bin" / "setup")
    return subprocess.run([str(tmp_path / "bin" / "setup"), *arguments], capture_output=True, text=True, timeout=60)


def test_offline_setup_with_an_empty_directory_stops_with_a_chinese_message(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    result = run_setup_copy(checkout, "--offline", str(wheels))
    assert result.returncode != 0
    assert "不是可用的 wheelhouse：缺少 app.txt" in result.stderr
    assert "bin/wheelhouse" in result.stderr
    assert not (checkout / ".venv").exists()


def test_setup_rejects_unknown_options(tmp_path):
    result = run_setup_copy(tmp_path, "--ofline")
    assert result.returncode != 0
    assert "不认识的参数：--ofline" in result.stderr


def test_wheelhouse_needs_a_directory(tmp_path):
    (tmp_path / "bin").mkdir()
    shutil.copy(ROOT / "bin" / "wheelhouse", tmp_path / "bin" / "wheelhouse")
    result = subprocess.run([str(tmp_path / "bin" / "wheelhouse")], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "请给出 wheelhouse 目录" in result.stderr
    assert not (tmp_path / ".venv").exists()


POOL_PROBE = """
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT 41 + 1")
    (answer,) = cursor.fetchone()
pool = connection.pool
print(answer, settings.DATABASES["default"]["CONN_MAX_AGE"], pool and pool.min_size, pool and pool.max_size,
      pool and pool.get_stats().get("requests_num", 0) > 0)  # the query borrowed its connection from the pool
"""


def probe_pool(database_url, **environment):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "perfbudget.settings",
           "SECRET_KEY": "pool-test", "CONN_MAX_AGE": "60", **environment}
    result = subprocess.run([sys.executable, "-c", POOL_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_db_pool_runs_queries_through_psycopg_pool():
    database_url = os.environ.get("DATABASE_URL", "")
    if dj_database_url.parse(database_url or "sqlite://")["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the pool is psycopg's: runs when DATABASE_URL names a PostgreSQL server, as in CI")
    assert probe_pool(database_url, DB_POOL="1", DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE="3") == [
        "42", "0", "1", "3", "True"]
    assert probe_pool(database_url, DB_POOL="0") == ["42", "60", "None", "None", "None"]
