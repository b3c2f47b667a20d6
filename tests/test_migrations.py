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
