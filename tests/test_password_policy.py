"""Passwords fit for 等保2.0 (10 characters, three of four classes, not like the username, none of the last five),
with Chinese messages; Argon2 hashes; a change of password at first login for users an administrator created (or
load_demo outside the demo)."""

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import middleware
from accounts.models import AccountState, PasswordHistory
from filings import demo as demo_module
from filings.models import Unit

from .personas import sign_in as login

DEMO_PASSWORD = "perfbudget-demo"
GOOD = "Qingshan#2026"


def change_password(client, old, new):
    return client.post(reverse("password_change"), {
        "old_password": old, "new_password1": new, "new_password2": new})


@pytest.fixture
def zyy(client, demo):
    login(client, "cs_zyy")
    return client


@pytest.mark.parametrize("password, message", [
    ("Ab1!xyz", "此密码太短，至少要包含 10 个字符。"),
    ("qingshanriver2026", "密码须包含大写字母、小写字母、数字、符号中的至少 3 类（当前只有 2 类）。"),
    ("QINGSHANRIVER", "密码须包含大写字母、小写字母、数字、符号中的至少 3 类（当前只有 1 类）。"),
    ("Cs_zyy2026", "密码跟 用户名 太相似了。"),
    ("20262026202620", "密码只包含数字。"),
    (DEMO_PASSWORD, "密码须包含大写字母、小写字母、数字、符号中的至少 3 类（当前只有 2 类）。"),
])
def test_a_weak_new_password_is_refused_with_a_chinese_message_next_to_the_field(zyy, password, message):
    response = change_password(zyy, DEMO_PASSWORD, password)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors["new_password2"]
    assert get_user_model().objects.get(username="cs_zyy").check_password(DEMO_PASSWORD)
    assert message in response.content.decode()


def test_a_wrong_old_password_is_refused_in_chinese(zyy):
    response = change_password(zyy, "not-my-password", GOOD)
    assert "你的旧密码不正确。请重新输入。" in response.content.decode()


def test_a_good_password_is_accepted_and_the_next_login_uses_it(zyy, client):
    response = change_password(zyy, DEMO_PASSWORD, GOOD)
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert get_user_model().objects.get(username="cs_zyy").check_password(GOOD)
    assert zyy.get(reverse("home")).status_code == 200  # still signed in after the change


def test_none_of_the_last_five_passwords_may_be_chosen_again(demo):
    user = get_user_model().objects.create(username="history_user")
    passwords = [f"Erste#Pass{n}word" for n in range(7)]
    for password in passwords:
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5  # older hashes are forgotten
    for recent in passwords[-5:]:
        with pytest.raises(ValidationError) as refused:
            password_validation.validate_password(recent, user)
        assert refused.value.messages == ["不能使用最近 5 次用过的密码，请换一个新密码。"]
    password_validation.validate_password(passwords[0], user)  # seven changes ago: allowed again
    password_validation.validate_password("Brand#New2026", user)


def test_the_current_password_is_refused_through_the_page(zyy):
    assert change_password(zyy, DEMO_PASSWORD, GOOD).status_code == 302
    response = change_password(zyy, GOOD, GOOD)
    assert "不能使用最近 5 次用过的密码" in response.content.decode()


def test_the_rules_are_explained_on_the_page_in_chinese(zyy):
    text = zyy.get(reverse("password_change")).content.decode()
    for rule in ["至少 10 个字符", "大写字母、小写字母、数字、符号中的至少 3 类", "不能与最近 5 次用过的密码相同"]:
        assert rule in text


def test_argon2_hashes_passwords():
    # tests/conftest.py keeps MD5 for speed; the production setting is checked in test_session_timeout
    encoded = Argon2PasswordHasher().encode("Qingshan#2026", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")
    assert Argon2PasswordHasher().verify("Qingshan#2026", encoded)


# --- change at first login ---------------------------------------------------------------------------------------

def add_user_in_the_admin(admin_client, username="new_filer", password="Chushi#Mima2026"):
    response = admin_client.post(reverse("admin:auth_user_add"), {
        "username": username, "usable_password": "true", "password1": password, "password2": password})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return get_user_model().objects.get(username=username)


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.20.30.40")


def test_a_user_the_administrator_created_must_change_the_password_at_first_login(admin_client, client, demo):
    user = add_user_in_the_admin(admin_client)
    assert AccountState.objects.get(user=user).must_change_password
    assert sign_in(client, "new_filer", "Chushi#Mima2026")["Location"] == reverse("home")

    for url in [reverse("home"), reverse("filings:queue"), reverse("filings:projects"), reverse("admin:index")]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("password_change")), url
    htmx = client.get(reverse("filings:reading"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "请先设置您自己的新密码" in page.content.decode()

    same = change_password(client, "Chushi#Mima2026", "Chushi#Mima2026")  # the same password is no change
    assert same.status_code == 200 and "不能使用最近 5 次用过的密码" in same.content.decode()
    assert client.get(reverse("home")).status_code == 302
    response = change_password(client, "Chushi#Mima2026", "Wode#Xinmima88")
    assert response["Location"] == reverse("password_change_done")
    assert not AccountState.objects.get(user=user).must_change_password
    assert middleware.MUST_CHANGE_PASSWORD not in client.session
    assert client.get(reverse("home")).status_code == 200


def test_a_user_who_must_change_the_password_may_still_sign_out(admin_client, client, demo):
    add_user_in_the_admin(admin_client)
    sign_in(client, "new_filer", "Chushi#Mima2026")
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    assert sign_in(client, "new_filer", "Chushi#Mima2026").status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("password_change")  # next login: still required


def test_a_password_an_administrator_sets_for_somebody_else_must_be_changed(admin_client, client, demo):
    zyy = get_user_model().objects.get(username="cs_zyy")
    response = admin_client.post(reverse("admin:auth_user_password_change", args=[zyy.pk]), {
        "usable_password": "true", "password1": "Reset#Mima2026", "password2": "Reset#Mima2026"})
    assert response.status_code == 302
    assert AccountState.objects.get(user=zyy).must_change_password
    sign_in(client, "cs_zyy", "Reset#Mima2026")
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_demo_users_keep_the_demo_password_without_a_forced_change(client, demo):
    assert not AccountState.objects.filter(must_change_password=True).exists()
    assert sign_in(client, "cs_zyy", DEMO_PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_load_demo_outside_the_demo_makes_its_new_users_change_the_password(settings, demo):
    get_user_model().objects.filter(username__in=["cs_zyy", "yj_wjj"]).delete()
    settings.DEMO_MODE = False
    demo_module.load_users({unit.code: unit for unit in Unit.objects.all()})
    flagged = set(AccountState.objects.filter(must_change_password=True).values_list("user__username", flat=True))
    assert flagged == {"cs_zyy", "yj_wjj"}  # only the users it created: existing accounts are left alone


def test_load_demo_in_the_demo_forces_no_change(settings, demo):
    get_user_model().objects.filter(username="yj_wjj").delete()
    settings.DEMO_MODE = True
    demo_module.load_users({unit.code: unit for unit in Unit.objects.all()})
    assert not AccountState.objects.filter(must_change_password=True).exists()
