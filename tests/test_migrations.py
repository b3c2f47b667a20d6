"""Migrations that shorten columns stop, naming the values, instead of failing half-way or cutting text."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = ("filings", "0008_filing_events"), ("filings", "0009_text_limits_and_one_line_fields")


@pytest.mark.django_db(transaction=True)
def test_shortening_the_indicator_name_stops_when_a_stored_name_is_longer(demo):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        indicator = old.get_model("filings", "Indicator").objects.first()
        old.get_model("filings", "Indicator").objects.filter(pk=indicator.pk).update(name="长" * 150)
        executor = MigrationExecutor(connection)
        with pytest.raises(RuntimeError, match=f"Indicator.name of filing {indicator.filing_id} \\(150 > 100\\)"):
            executor.migrate([AFTER])
        old.get_model("filings", "Indicator").objects.filter(pk=indicator.pk).update(name="短")
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


FIRST_BEFORE, FIRST_AFTER = ("filings", "0016_unit_review_levels_inherited"), ("filings", "0017_first_submitted_at")


@pytest.mark.django_db(transaction=True)
def test_the_first_submission_is_backfilled_from_the_transitions_and_the_stamp(demo):
    """Each filing's earliest submit transition or its stamp, whichever is earlier; an adjustment of the same unit
    and year keeps its source's earlier one; a copy to another year and a draft get none."""
    from datetime import datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    actor = get_user_model().objects.order_by("pk").values_list("pk", flat=True).first()
    executor = MigrationExecutor(connection)
    executor.migrate([FIRST_BEFORE])
    try:
        old = executor.loader.project_state([FIRST_BEFORE]).apps
        Filing, Transition = old.get_model("filings", "Filing"), old.get_model("filings", "Transition")
        day = timezone.make_aware(datetime(2025, 3, 1, 9, 0))
        logged, stamped, revised, next_year, draft = Filing.objects.order_by("pk")[:5]

        def submit(filing, when):
            entry = Transition.objects.create(filing=filing, action="submit", from_status="draft",
                                              to_status="submitted", actor_id=actor)
            Transition.objects.filter(pk=entry.pk).update(created_at=when)

        # submitted, returned, submitted again: the stamp is the second, the first transition the earliest
        submit(logged, day)
        submit(logged, day + timedelta(days=5))
        Transition.objects.create(filing=logged, action="return", from_status="submitted", to_status="returned",
                                  actor_id=actor, comment="请修改。")
        Filing.objects.filter(pk=logged.pk).update(submitted_at=day + timedelta(days=5), status="submitted")
        # loaded without the workflow: only the stamp
        Filing.objects.filter(pk=stamped.pk).update(submitted_at=day + timedelta(days=1), status="submitted")
        # revision 2 of `logged` (same unit and year), submitted later itself
        Filing.objects.filter(pk=revised.pk).update(copied_from=logged, unit=logged.unit, year=logged.year,
                                                    revision=2, kind="project", status="submitted",
                                                    submitted_at=day + timedelta(days=9))
        submit(revised, day + timedelta(days=9))
        # a copy of `logged` to the next year, submitted there
        Filing.objects.filter(pk=next_year.pk).update(copied_from=logged, unit=logged.unit, year=logged.year + 1,
                                                      revision=2, kind="project", status="submitted",
                                                      submitted_at=day + timedelta(days=30))
        Filing.objects.filter(pk=draft.pk).update(submitted_at=None, status="draft")
        Transition.objects.filter(filing=draft).delete()

        executor = MigrationExecutor(connection)
        executor.migrate([FIRST_AFTER])
        new = executor.loader.project_state([FIRST_AFTER]).apps.get_model("filings", "Filing")
        first = dict(new.objects.filter(pk__in=[logged.pk, stamped.pk, revised.pk, next_year.pk, draft.pk])
                     .values_list("pk", "first_submitted_at"))
        assert first == {logged.pk: day, stamped.pk: day + timedelta(days=1), revised.pk: day,
                         next_year.pk: day + timedelta(days=30), draft.pk: None}
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
