"""Filing.first_submitted_at, backfilled: the overview reads it instead of the submit transitions.

A filing's first submission is its earliest submit transition or its stamp (`submitted_at`, the latest submission;
a filing loaded without the workflow may have only that), whichever is earlier; a revision (调整: copied from a
filing of the same unit and year with a lower revision) keeps its source's if that is earlier. That is, per unit
and year, exactly the moment the overview took from the transitions before."""

from django.db import migrations, models
from django.db.models import F, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, Least


def backfill(apps, schema_editor):
    Filing = apps.get_model("filings", "Filing")
    Transition = apps.get_model("filings", "Transition")
    logged = Subquery(Transition.objects.filter(filing=OuterRef("pk"), action="submit").order_by()
                      .values("filing").annotate(first=Min("created_at")).values("first")[:1])
    # LEAST ignores NULLs on PostgreSQL but not on SQLite: each side falls back to the other.
    Filing.objects.update(first_submitted_at=Least(Coalesce(logged, F("submitted_at")),
                                                   Coalesce(F("submitted_at"), logged)))
    revisions = Filing.objects.filter(revision__gt=1, copied_from__isnull=False).order_by("revision", "pk")
    for filing in revisions:  # lower revisions first: a source is final before its copy reads it
        source = Filing.objects.get(pk=filing.copied_from_id)
        if source.unit_id != filing.unit_id or source.year != filing.year or source.revision >= filing.revision:
            continue
        moments = [m for m in (filing.first_submitted_at, source.first_submitted_at) if m is not None]
        if moments and min(moments) != filing.first_submitted_at:
            Filing.objects.filter(pk=filing.pk).update(first_submitted_at=min(moments))


class Migration(migrations.Migration):

    dependencies = [
        ("filings", "0016_unit_review_levels_inherited"),
    ]

    operations = [
        migrations.AddField(
            model_name="filing",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="首次提交时间"),
        ),
        migrations.AddIndex(
            model_name="filing",
            index=models.Index(fields=["year", "unit", "kind", "status", "first_submitted_at"],
                               name="filing_year_unit_covering"),
        ),
        # After the index: on PostgreSQL a second UPDATE of a row this transaction wrote queues foreign-key
        # checks until the commit, and CREATE INDEX refuses a table with pending trigger events.
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
