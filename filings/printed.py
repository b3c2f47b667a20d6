"""What the printed layout of a filing needs (check page, review page, PDF): rows and indicator tables."""

from .layout import level1_blocks, page_blocks, side_by_side_table
from .models import Filing, FilingKind, FormVariant
from .models.indicators import Period
from .models.project import FUND_SOURCES
from .steps.shared import indicator_periods, scheme_categories


def indicator_tables(filing: Filing, indicators, paginate: bool = False) -> list[dict]:
    """One table per period, or one table with the periods side by side where the variant prints them so (阳泉).

    ``paginate`` cuts the rows into blocks that fit on a PDF page; otherwise there is one block per 一级 group.
    """
    categories = scheme_categories(filing)
    labels = filing.variant.labels or {}
    periods = indicator_periods(filing)
    label_of = {period: labels.get(f"{period}_indicators", f"{Period(period).label}绩效指标") for period in periods}
    side_by_side = filing.kind == FilingKind.PROJECT and len(periods) > 1
    groups = [periods] if side_by_side else [[period] for period in periods]
    tables = []
    for group in groups:
        rows = side_by_side_table(indicators, categories, group)
        tables.append({
            "periods": group, "period": " ".join(group), "side_by_side": side_by_side,
            "label": "绩效指标" if side_by_side else label_of[group[0]],
            "side_labels": [label_of[period] for period in group],
            "blocks": page_blocks(rows) if paginate else level1_blocks(rows),
        })
    return tables


def funds_by_period(filing: Filing) -> bool:
    """Whether the project table prints 实施期 and 年度 funds side by side (five columns instead of four)."""
    variant = filing.variant
    return (filing.kind == FilingKind.PROJECT and variant.has_implementation_period
            and variant.funding_layout != FormVariant.Funding.LOCAL_AND_HIGHER)


def printed_context(filing: Filing, paginate: bool = False) -> dict:
    indicators = list(filing.indicators.order_by("period", "order", "pk"))
    wide = funds_by_period(filing)
    return {
        "funds_by_period": wide, "value_span": 4 if wide else 3,
        "pdf": paginate,  # long paragraphs are cut for WeasyPrint only (filings_tags.printable)
        "indicator_tables": indicator_tables(filing, indicators, paginate),
        "tasks": list(filing.tasks.all()), "functions": list(filing.functions.all()),
        "by_level_sources": [(key, label) for key, label in FUND_SOURCES.items() if key not in {"total", "fiscal"}],
    }
