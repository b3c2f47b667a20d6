import json
import sys

from django.core.management.base import BaseCommand, CommandError

from filings.models import Filing, Unit
from filings.validation import filings_for_validation, validate_filing
from indicators.findings import SEVERITY_LABELS
from indicators.models import Category


class Command(BaseCommand):
    help = "核对申报表：逐份列出错误和警告；任何一份有错误时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只核对该年度的申报表")
        parser.add_argument("--unit", help="只核对该单位编码（含其下级单位）的申报表")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")

    def handle(self, *args, **options):
        filings = Filing.objects.all()
        if options["year"]:
            filings = filings.filter(year=options["year"])
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有编码为 {options['unit']} 的单位。")
            filings = filings.filter(unit__in=Unit.objects.subtree_of(unit))
        categories = {}
        for category in Category.objects.select_related("parent"):
            categories.setdefault(category.scheme_id, []).append(category)
        results = [(filing, validate_filing(filing, categories.get(filing.scheme_id, [])))
                   for filing in filings_for_validation(filings)]
        if options["format"] == "json":
            self.stdout.write(json.dumps([self.as_dict(f, r) for f, r in results], ensure_ascii=False, indent=2))
        else:
            self.write_text(results)
        failing = sum(report.has_errors for _, report in results)
        if failing:
            self.stderr.write(f"{failing} 份申报表有错误，须改正后才能提交。")
            sys.exit(1)

    def write_text(self, results):
        if not results:
            self.stdout.write("没有符合条件的申报表。")
            return
        for filing, report in results:
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING(f"{filing}（{filing.unit.name}，{filing.get_status_display()}）"))
            if not report.findings:
                self.stdout.write(self.style.SUCCESS("  未发现问题。"))
                continue
            self.stdout.write(f"  错误 {len(report.errors)} 项，警告 {len(report.warnings)} 项")
            for item in report.findings:
                style = self.style.ERROR if item.is_error else self.style.WARNING
                label = SEVERITY_LABELS[item.severity]
                self.stdout.write(style(f"  [{label}] {item.code} {item.location()}：{item.message}"))
        total_errors = sum(len(report.errors) for _, report in results)
        total_warnings = sum(len(report.warnings) for _, report in results)
        self.stdout.write("")
        self.stdout.write(f"共核对 {len(results)} 份申报表：错误 {total_errors} 项，警告 {total_warnings} 项。")

    @staticmethod
    def as_dict(filing, report):
        return {
            "id": filing.pk,
            "title": str(filing),
            "unit": filing.unit.code,
            "year": filing.year,
            "kind": filing.kind,
            "status": filing.status,
            **report.as_dict(),
        }
