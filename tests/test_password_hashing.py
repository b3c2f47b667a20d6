"""Passwords are hashed with Argon2id at the parameters measured for a login burst on this machine
(accounts/hashers.py, docs/security.md); a PBKDF2 hash, or an Argon2 hash with Django's default parameters, is
replaced at the next successful login through the login page, and a failed login changes nothing.

tests/conftest.py hashes with MD5 to keep the suite fast; these tests use the production hashers."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, identify_hasher, make_password
from django.test import Client, override_settings
from django.urls import reverse

from accounts.hashers import PerfbudgetArgon2Hasher
from perfbudget import settings as production

PASSWORD = "Qingshan#2026"
CHOSEN = "argon2$argon2id$v=19$m=19456,t=2,p=1$"  # the prefix of a hash with the measured parameters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_hashers")]


@pytest.fixture
def production_hashers():
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        yield


def officer(encoded: str):
    return get_user_model().objects.create(username="hash_officer", password=encoded)


def stored(user) -> str:
    user.refresh_from_db()
    return user.password


def log_in(password: str = PASSWORD):
    """A login through the real login page in a new browser; True when it signed in."""
    client = Client()
    response = client.post(reverse("login"), {"username": "hash_officer", "password": password},
                           REMOTE_ADDR="10.1.2.3")
    return response.status_code == 302 and SESSION_KEY in client.session


def test_the_production_setting_hashes_new_passwords_with_the_measured_argon2id():
    assert production.PASSWORD_HASHERS[0] == "accounts.hashers.PerfbudgetArgon2Hasher"
    assert PerfbudgetArgon2Hasher.algorithm == Argon2PasswordHasher.algorithm == "argon2"
    encoded = make_password(PASSWORD)
    assert encoded.startswith(CHOSEN)
    assert isinstance(identify_hasher(encoded), PerfbudgetArgon2Hasher)


def test_a_pbkdf2_hash_becomes_the_chosen_argon2_at_the_next_login_and_the_password_still_works():
    user = officer(make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert stored(user).startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")
    assert log_in()
    upgraded = stored(user)
    assert upgraded.startswith(CHOSEN)
    assert log_in()  # the next morning
    assert stored(user) == upgraded  # verified, not hashed again
    assert not log_in("Qingshan#2025")


def test_an_argon2_hash_with_djangos_default_parameters_is_upgraded_too():
    default = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert default.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    user = officer(default)
    assert log_in()
    assert stored(user).startswith(CHOSEN)
    assert log_in()


def test_a_failed_login_upgrades_nothing():
    encoded = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user = officer(encoded)
    assert not log_in("Qingshan#2025")
    assert stored(user) == encoded
    assert log_in()
    assert stored(user).startswith(CHOSEN)


def test_a_hash_with_the_chosen_parameters_verifies_with_djangos_stock_argon2_hasher():
    # The algorithm name is Django's, so switching back to the stock hasher would keep every password working.
    encoded = make_password(PASSWORD)
    assert Argon2PasswordHasher().verify(PASSWORD, encoded)
    assert not PerfbudgetArgon2Hasher().must_update(encoded)
    assert Argon2PasswordHasher().must_update(encoded)
