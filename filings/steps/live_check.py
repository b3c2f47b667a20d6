"""The indicator step's completeness (E5) checked on the rows now on the page, before they are saved.

The rows come from the posted editor (typed, pasted, marked for deletion); the rule is the one every report runs
(`indicators.validation.completeness`, through `check_indicators`), so the page and the check page never disagree.
"""

from indicators.validation import check_indicators

from ..validation import indicator_context, load_facts

COMPLETENESS = "E5"


def page_rows(formset) -> list:
    """Unsaved indicator rows as the page holds them: blank new rows, rows marked for deletion and rows with an
    error (they count once fixed) left out."""
    rows = []
    for form in formset.forms:
        valid = form.is_valid()
        if not valid or (formset.can_delete and formset._should_delete_form(form)):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        row = form.save(commit=False)
        row.apply_reading()
        rows.append(row)
    return rows


def set_findings(findings) -> list:
    """The findings about a whole indicator set being incomplete: the banner above the editor."""
    return [finding for finding in findings if finding.code == COMPLETENESS and finding.row is None]


def page_completeness(filing, bound) -> list:
    """The set-level E5 findings of the rows on the page."""
    rows = page_rows(bound.formsets["rows"])
    return set_findings(check_indicators(rows, indicator_context(load_facts(filing))))
