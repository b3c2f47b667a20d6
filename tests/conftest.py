import pytest
from django.conf import settings

from filings.demo import load_demo
from filings.models import Filing


def pytest_configure(config):
    # Hashing demo passwords with PBKDF2 dominates the run time; tests do not need its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The tests run the demo (as bin/run does): demo users keep the published password, no change at first login.
    settings.DEMO_MODE = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the reference data and the demo (units, users, seed filings)."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(db):
    """The seed filings by key (s0-dept, s3-proj1 …), reloaded if a transactional test flushed them."""
    if not Filing.objects.filter(source__startswith="seed:").exists():
        load_demo()
    filings = Filing.objects.with_related().filter(source__startswith="seed:")
    return {filing.source.removeprefix("seed:"): filing for filing in filings}
