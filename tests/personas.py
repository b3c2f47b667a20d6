"""The demo's people by what they are to a filing, and the one way tests sign them in.

Relative to 九江市柴桑区总医院 (327002001, seed filing s0-dept):

    FILER            cs_zyy   填报人 of the hospital itself
    REVIEWER         cs_wjw   审核人 of 柴桑区卫健委 (327002), the hospital's 主管部门
    FINANCE          cs_czj   财政 of 柴桑区 (360404), the region
    OTHER_FILER      cs_ybj   填报人 of 医保局 (327001), another 主管部门 of the same region
    OTHER_REGION     yq_czj   财政 of 阳泉 (140300), another region
    ADMIN            admin    superuser

Each seed filing's own filer is in `FILER_OF`. Users the demo does not have (a sibling hospital's filer, an
outsider without a unit) are made by `new_member` / `new_outsider`.
"""

from django.contrib.auth import get_user_model

from filings.models import Membership, Unit

FILER, REVIEWER, FINANCE = "cs_zyy", "cs_wjw", "cs_czj"
OTHER_FILER, OTHER_REGION, ADMIN = "cs_ybj", "yq_czj", "admin"
PASSWORD = "perfbudget-demo"

FILER_OF = {
    "s0-dept": "cs_zyy", "s1-dept": "cs_ybj", "s1-proj1": "cs_ybj", "s2-dept": "dp_bj",
    "s3-proj1": "yq_sy", "s3-proj2": "yq_sy", "s3-proj3": "yq_sy", "s3-proj4": "yq_sy", "s3-proj5": "yq_sy",
    "s4-dept": "yj_wjj", "s4-proj1": "yj_wjj", "s4-proj2": "yj_wjj",
}
REVIEWER_OF = {"s0-dept": "cs_wjw", "s1-dept": "cs_ybj_sh", "s2-dept": "dp_jt", "s3-proj1": "yq_wjw"}
FINANCE_OF = {"s0-dept": "cs_czj", "s1-dept": "cs_czj", "s2-dept": "dp_czj", "s3-proj1": "yq_czj",
              "s4-dept": "yj_czj"}


def person(username):
    return get_user_model().objects.get(username=username)


def sign_in(client, username):
    """Sign the test client in as `username` (no password check) and return the client."""
    client.force_login(person(username))
    return client


def new_member(username, unit_code, role):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, unit=Unit.objects.get(code=unit_code), role=role)
    return user


def new_outsider(username="outsider"):
    return get_user_model().objects.create_user(username, password=PASSWORD)
