"""Settings for perfbudget, read from the environment (see README.md, 配置)."""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def read_or_create_secret_key(path: Path) -> str:
    # Zero-configuration demo without a key in the repository: one is made on first start and kept locally.
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEBUG = env_bool("DEBUG", False)
# The zero-configuration demo (bin/run sets PERFBUDGET_DEMO=1): its users keep the published demo password. Outside
# the demo, users that load_demo creates must change their password at first login.
DEMO_MODE = env_bool("PERFBUDGET_DEMO", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE):
        # A key made per server would silently break logins across several servers (and change on a new checkout).
        raise ImproperlyConfigured(
            "没有设置 SECRET_KEY：生产环境必须在环境文件（例如 /etc/perfbudget/perfbudget.env）中设置 SECRET_KEY，"
            "多台服务器使用同一个值；可用 python3 -c 'import secrets; print(secrets.token_urlsafe(50))' 生成。"
            "只运行演示时请设置 PERFBUDGET_DEMO=1（bin/run 会设置），密钥将生成并保存在 .secret_key 文件中。"
        )
    SECRET_KEY = read_or_create_secret_key(BASE_DIR / ".secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "")  # used in e-mails: the address people open the app at

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "background",
    "accounts.apps.AxesConfig",  # django-axes (login failure lockout), before accounts: its receivers run first
    "accounts",
    "indicators",
    "filings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "perfbudget.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "perfbudget.middleware.EmptyAdminToFieldMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the Chinese lockout page
]

ROOT_URLCONF = "perfbudget.urls"
WSGI_APPLICATION = "perfbudget.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "filings.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server and worker are two processes on one file: write transactions take the write lock when
    # they begin (a lock upgrade in the middle could only fail), WAL lets readers go on meanwhile, and a writer waits
    # up to 20 s for the other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
if env_bool("DB_POOL", False) and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool keeps the connections; Django's persistent connections must then be off.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 2),
        "max_size": env_int("DB_POOL_MAX_SIZE", 10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords fit for 等保2.0: at least 10 characters of three of four classes, not like the username, not common,
# none of the last five again. Argon2id first, with the parameters of accounts/hashers.py (measured: docs/security.md);
# PBKDF2 at Django's iteration count costs ≈ 0.6 s CPU per login. Older hashes verify and are re-hashed at login.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
PASSWORD_HASHERS = [
    "accounts.hashers.PerfbudgetArgon2Hasher",  # algorithm "argon2": Django-default Argon2 hashes are upgraded too
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # existing hashes still verify and are upgraded at login
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# 登录失败处理 (django-axes, database handler: the counts hold across several app servers). After
# LOGIN_FAILURE_LIMIT failures the account is locked whatever address it is tried from, and the address whatever
# account it tries, for LOGIN_LOCKOUT_MINUTES (0: until an administrator unlocks it in the admin, 登录失败锁定 →
# 访问尝试, or with `manage.py axes_reset_username <用户名>` / `axes_reset_ip <地址>`).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",  # axes: refuses a locked account or address before the password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30)) or None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False  # a success from an address would wipe that address's failures on other accounts
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # accounts.LoginEvent is the login log
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# The header in which the reverse proxy passes the client's address (e.g. X-Real-IP); empty: REMOTE_ADDR. Set it
# only when the app servers cannot be reached except through the proxy.
PROXY_CLIENT_IP_HEADER = os.environ.get("PROXY_CLIENT_IP_HEADER", "")

# 连接超时自动退出: signed out after SESSION_IDLE_MINUTES without a request (sliding: every request restarts it), and
# SESSION_MAX_HOURS after login whatever the activity (accounts.middleware); the cookie ends with the browser. 60, not
# 30: an officer reads paper documents with a form open, and one login should serve a morning (docs/security.md).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 60) * 60
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# STATIC_COLLECTED=1 (production, after `manage.py collectstatic`): files are served from STATIC_ROOT under hashed
# names (WhiteNoise's manifest storage; WhiteNoise and the nginx site give those names a cache lifetime of a year).
# Off (the demo, the tests): served straight from the packages and static/ through the finders, no collectstatic.
STATIC_COLLECTED = env_bool("STATIC_COLLECTED", False)
if not STATIC_COLLECTED:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
# Vendor assets come from installed packages (no CDN on a government intranet): Bootstrap from
# xstatic-bootstrap under static/vendor/bootstrap/, htmx from django-htmx (static/django_htmx/htmx-2.min.js).
# Files the app builds for download (下载任务: batch PDFs, consolidated exports) go to the `private` storage: never
# public, served only through views that check access. Local disk by default (on several app servers: a shared
# mount, e.g. NFS, at the same path on each).
PRIVATE_FILES_DIR = Path(os.environ.get("PRIVATE_FILES_DIR", BASE_DIR / "var"))
# Where the front server (nginx) serves PRIVATE_FILES_DIR from after the app's access check (an `internal`
# location, X-Accel-Redirect), e.g. /_private/; empty: the app streams the file itself.
PRIVATE_ACCEL_REDIRECT = os.environ.get("PRIVATE_ACCEL_REDIRECT", "")
DOWNLOAD_KEEP_HOURS = env_int("DOWNLOAD_KEEP_HOURS", 72)  # a built file can be downloaded for this long
DOWNLOAD_MAX_ATTEMPTS = env_int("DOWNLOAD_MAX_ATTEMPTS", 2)  # builds of one job when workers stop mid-way

# PRIVATE_STORAGE=local (PRIVATE_FILES_DIR) or s3: S3-compatible object storage through django-storages (the
# optional extra `s3`), shared by every server. S3 objects are private and streamed by the app after the access check.
PRIVATE_STORAGE = os.environ.get("PRIVATE_STORAGE", "local").strip().lower()
if PRIVATE_STORAGE == "local":
    PRIVATE_STORAGE_SETTINGS = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                "OPTIONS": {"location": PRIVATE_FILES_DIR, "base_url": None}}
elif PRIVATE_STORAGE == "s3":
    if PRIVATE_ACCEL_REDIRECT:
        raise ImproperlyConfigured(
            "PRIVATE_STORAGE=s3 时文件不在本机磁盘上，nginx 无法直接发送：请不要设置 PRIVATE_ACCEL_REDIRECT。")
    if not os.environ.get("S3_BUCKET"):
        raise ImproperlyConfigured("PRIVATE_STORAGE=s3 时必须用 S3_BUCKET 指定存放下载文件的存储桶。")
    PRIVATE_STORAGE_SETTINGS = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ.get("S3_BUCKET", ""),
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,  # e.g. MinIO or a cloud's S3-compatible service
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("S3_PREFIX", "perfbudget"),
        "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,  # "path" for most self-hosted servers
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }}
else:
    raise ImproperlyConfigured(f"PRIVATE_STORAGE 只能是 local 或 s3，不是 {PRIVATE_STORAGE!r}。")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if STATIC_COLLECTED
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": PRIVATE_STORAGE_SETTINGS,
}

# Background tasks (django.tasks). TASK_BACKEND=database (default: django-tasks-db, tasks in the app's own database;
# `manage.py worker` runs them, SELECT … FOR UPDATE SKIP LOCKED lets several workers share the queue) or rq (Redis
# at REDIS_URL through django-tasks-rq; the same `manage.py worker` starts RQ's worker). The task code is the same.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database").strip().lower()
TASK_QUEUES = ["default", "mail"]
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3 * 3600} for name in TASK_QUEUES}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# Each worker writes a heartbeat this often; one silent for four beats counts as stopped (/healthz, the sweep).
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
# A download job with no progress for this long is taken for abandoned by a stopped worker and re-queued.
TASK_STALE_SECONDS = env_int("TASK_STALE_SECONDS", 120)
# Periodic tasks (dotted path → seconds between runs), enqueued by `manage.py run_periodic` (systemd timer) or by a
# worker started with --schedule (bin/run).
PERIODIC_TASKS = {
    "filings.upkeep.sweep_downloads": env_int("SWEEP_EVERY_SECONDS", 60),
    "filings.upkeep.remove_expired_downloads": 3600,
    # Reminders are idempotent per day (nobody is reminded twice of a deadline the same day), so hourly is safe.
    "filings.upkeep.remind_deadlines": 3600,
    "filings.upkeep.refresh_stored_checks": 24 * 3600,
}

STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
# Without STATIC_COLLECTED, served by WhiteNoise straight from the installed packages and static/ (no collectstatic).
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = DEBUG

# An indicator table of 300 rows (the most the editor and the paste import take) posts about 9 fields a row; Django's
# default of 1,000 fields would refuse a table of 111 rows with a bare 400 and lose what was typed.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000
# Request bodies (issue 12). Form fields: up to 10 MB, set on purpose — a 300-row indicator table of full-length
# Chinese texts is about 3.3 MB percent-encoded, Django's default of 2.5 MB would refuse it. Uploads: the Excel import
# takes files up to 5 MB (its own message above that); a multipart request over 6 MB is refused while it is read
# (perfbudget.uploads), so every accepted file stays in memory and nothing is spooled to disk. Both answer with the
# Chinese page of perfbudget.errors. The nginx site's client_max_body_size should be a little above both (12m).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_REQUEST_BYTES = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_REQUEST_BYTES
FILE_UPLOAD_HANDLERS = [
    "perfbudget.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
# BEHIND_HTTPS_PROXY=1: the site is reached only over HTTPS through a front server (deploy/nginx-perfbudget.conf)
# that sets X-Forwarded-Proto. Then the scheme comes from that header, plain HTTP is redirected, browsers are told to
# use HTTPS only (HSTS) and cookies go over HTTPS only — together, since each alone leaves a gap. Only set it when
# the app servers cannot be reached except through that proxy, or the header could be forged.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers often probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # security.W021 asks for the preload flag so the domain can be submitted to the browsers' built-in list;
        # an intranet host cannot be on that public list, and the flag is a promise to the list's maintainers that
        # only the owner of the whole registered domain can make. HSTS itself (W004) stays checked.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = BEHIND_HTTPS_PROXY or env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response: scripts and styles only from the app's own static files (and any tag
# carrying the request's nonce, `{{ csp_nonce }}`); no inline handlers, no style="" attributes, no eval. htmx is
# told in base.html not to inject its indicator <style> and not to run scripts from swapped fragments.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],  # Bootstrap draws its select arrows and check marks as data: SVG images
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Notification e-mail: printed to the console (the service's log) unless EMAIL_HOST names an SMTP server. Django 6.1
# configures sending through MAILERS (the EMAIL_BACKEND/EMAIL_HOST/… settings are deprecated), so the familiar
# environment variables fill the default mailer.
_email_host = os.environ.get("EMAIL_HOST", "")
_email_backend = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if _email_host else "django.core.mail.backends.console.EmailBackend"
)
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": {
            "host": _email_host or "localhost",
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 15,  # seconds per attempt; the worker sends mail (filings.mailing) and retries, no request waits
        } if _email_backend == "django.core.mail.backends.smtp.EmailBackend" else {},
    },
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Notification mail is sent by a background task (queue "mail"); mails a server could not take just then (unreachable,
# hanging, 4xx) are sent again after each of these pauses in seconds, then logged as lost.
MAIL_RETRY_DELAYS = [int(s) for s in os.environ.get("MAIL_RETRY_DELAYS", "5,30,120").split(",") if s.strip()]

# Errors go to the console (the service's log) whatever DEBUG says; nothing is mailed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        # The app's own records (e.g. filings.notifications: an e-mail that could not be sent).
        "filings": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        # Workers, heartbeats and periodic tasks (a task left by a stopped worker, a failed heartbeat).
        "background": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    },
}

# The PDF's font as a CSS font-family value; a site may name licensed fonts (e.g. "仿宋_GB2312", serif).
if os.environ.get("PDF_FONT_FAMILY"):
    PDF_FONT_FAMILY = os.environ["PDF_FONT_FAMILY"]
