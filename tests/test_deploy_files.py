"""The deployment kit in deploy/ fits the app: nginx lets through every request body the app accepts and serves what
the settings name, the systemd units start the right commands with the one environment file, and gunicorn's
configuration holds only settings gunicorn knows."""

import configparser
import re
import runpy
from pathlib import Path

import gunicorn.config
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
NGINX_SITE = DEPLOY / "nginx-perfbudget.conf"
ENV_FILE = "/etc/perfbudget/perfbudget.env"


def nginx() -> str:
    return NGINX_SITE.read_text(encoding="utf-8")


def env_example() -> dict[str, str]:
    lines = (DEPLOY / "perfbudget.env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def server_blocks(text: str) -> list[str]:
    """The top-level `server { … }` blocks, by brace matching."""
    blocks = []
    for match in re.finditer(r"^server \{", text, re.M):
        depth, end = 0, match.start()
        for end in range(match.start(), len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0 and text[end] == "}":
                break
        blocks.append(text[match.start():end + 1])
    return blocks


def location(block: str, prefix: str) -> str:
    start = block.index(f"location {prefix} {{")
    depth = 0
    for end in range(start, len(block)):
        depth += {"{": 1, "}": -1}.get(block[end], 0)
        if depth == 0 and block[end] == "}":
            return block[start:end + 1]
    raise AssertionError(f"location {prefix} not closed")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_nginx_takes_a_little_more_than_the_apps_body_limits():
    megabytes = int(re.search(r"^\s*client_max_body_size (\d+)m;", nginx(), re.M).group(1))
    largest = max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.UPLOAD_MAX_REQUEST_BYTES)
    assert largest < megabytes * 1024 * 1024 <= largest + 4 * 1024 * 1024


def test_nginx_passes_the_client_address_and_the_scheme_the_app_trusts():
    https = [b for b in server_blocks(nginx()) if "listen 443 ssl;" in b][0]
    app = location(https, "/")
    assert re.search(r"proxy_set_header X-Real-IP \$remote_addr;", app)
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$scheme;", app)
    assert env_example()["PROXY_CLIENT_IP_HEADER"] == "X-Real-IP"
    assert env_example()["BEHIND_HTTPS_PROXY"] == "1"


def test_nginx_redirects_http_to_https_except_the_health_probe():
    plain, https = server_blocks(nginx())
    assert "listen 80 default_server;" in plain
    assert "return 301 https://$host$request_uri;" in location(plain, "/")
    assert "proxy_pass http://perfbudget_app;" in location(plain, "= /healthz")
    assert re.search(r"ssl_certificate /etc/\S+\.pem;", https)
    assert re.search(r"ssl_certificate_key /etc/\S+\.pem;", https)


def test_nginx_waits_longer_than_gunicorn_so_gunicorns_timeout_acts_first():
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx()).group(1))
    assert read_timeout > gunicorn_settings()["timeout"]


def test_nginx_serves_static_root_with_a_year_of_cache_for_hashed_names():
    https = server_blocks(nginx())[1]
    static = location(https, "/static/")
    root = re.search(r"^\s*root (\S+);", static, re.M).group(1)
    assert Path(root) / settings.STATIC_URL.strip("/") == Path(env_example()["STATIC_ROOT"])
    hashed = re.search(r'location ~ "(.+)" \{([^}]*)\}', static)
    assert re.search(hashed.group(1), "css/app.3f2a9c0b1d4e.css") and not re.search(hashed.group(1), "css/app.css")
    assert "max-age=31536000, immutable" in hashed.group(2)


def test_nginx_sends_private_files_only_on_the_apps_word():
    private = location(server_blocks(nginx())[1], env_example()["PRIVATE_ACCEL_REDIRECT"])
    assert re.search(r"^\s*internal;", private, re.M)
    alias = re.search(r"alias (\S+);", private).group(1)
    assert Path(alias) == Path(env_example()["PRIVATE_FILES_DIR"])


def gunicorn_settings() -> dict:
    return {k: v for k, v in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items() if not k.startswith("_")
            and not callable(v) and not isinstance(v, type(re))}


def test_gunicorn_configuration_names_only_gunicorn_settings_and_the_projects_wsgi_app():
    values = gunicorn_settings()
    assert set(values) <= set(gunicorn.config.Config().settings)
    assert values["wsgi_app"] == settings.WSGI_APPLICATION.replace(".application", ":application")
    # only nginx on the same machine reaches gunicorn, so only it can set the scheme header the app trusts
    assert values["bind"] == ["127.0.0.1:8000"]
    assert values["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert re.search(r"server 127\.0\.0\.1:8000;", nginx())


def test_the_units_run_the_web_server_the_worker_and_the_periodic_enqueuer_with_the_environment_file():
    commands = {
        "perfbudget-web.service": "/opt/perfbudget/.venv/bin/gunicorn --config deploy/gunicorn.conf.py",
        "perfbudget-worker@.service": "/opt/perfbudget/.venv/bin/python manage.py worker",
        "perfbudget-periodic.service": "/opt/perfbudget/.venv/bin/python manage.py run_periodic",
    }
    for name, command in commands.items():
        service = unit(name)["Service"]
        assert service["ExecStart"] == command, name
        assert service["EnvironmentFile"] == ENV_FILE, name
        assert service["WorkingDirectory"] == "/opt/perfbudget", name
        assert service["User"] == "perfbudget", name
        assert service["ReadWritePaths"] == str(Path(env_example()["PRIVATE_FILES_DIR"]).parent), name
    assert unit("perfbudget-periodic.service")["Service"]["Type"] == "oneshot"
    assert "%i" in unit("perfbudget-worker@.service")["Unit"]["Description"]


def test_the_timer_starts_the_periodic_enqueuer_every_minute():
    timer = unit("perfbudget-periodic.timer")["Timer"]
    assert timer["OnCalendar"] == "minutely"
    assert timer["Unit"] == "perfbudget-periodic.service"


def unit_lines(name: str, key: str) -> list[str]:
    """Every value of a key that systemd lets repeat (Environment=), which the config parser would fold into one."""
    text = (DEPLOY / name).read_text(encoding="utf-8")
    return re.findall(rf"^{key}=(.*)$", text, re.M)


def test_a_worker_stop_lets_the_running_task_finish_and_builds_on_disk():
    service = unit("perfbudget-worker@.service")["Service"]
    # SIGTERM to the main process only: RQ's work-horse must hear of the stop from its parent
    assert service["KillMode"] == "mixed" and service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) >= 600  # a large batch PDF finishes on a graceful stop
    assert "TMPDIR=/var/tmp" in unit_lines("perfbudget-worker@.service", "Environment")
    assert service["PrivateTmp"] == "yes"  # its own /var/tmp, on disk


def test_healthz_has_its_own_location_in_both_servers_ready_for_allow_and_deny():
    plain, https = server_blocks(nginx())
    for block in (plain, https):
        probe = location(block, "= /healthz")
        assert "proxy_pass http://perfbudget_app;" in probe
        assert re.search(r"^\s*#\s*allow \S+;", probe, re.M) and re.search(r"^\s*#\s*deny all;", probe, re.M)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in location(https, "= /healthz")


def deployment_steps() -> str:
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("## 部署"):readme.index("## 管理命令")]


def test_the_readme_clones_from_a_directory_the_user_can_enter_and_keeps_caches_out_of_the_checkout():
    steps = deployment_steps()
    assert re.search(r"cd /opt\n\s*as_perfbudget git clone ", steps)
    for helper in ("as_perfbudget() {", "manage() {"):
        line = next(line for line in steps.splitlines() if helper in line)
        assert "HOME=/opt/perfbudget XDG_CACHE_HOME=/var/cache/perfbudget" in line, helper
    assert "install -d -o perfbudget -g perfbudget -m 0750 /var/cache/perfbudget" in steps
    assert "XDG_CACHE_HOME=/var/cache/perfbudget" in unit_lines("perfbudget-worker@.service", "Environment")
