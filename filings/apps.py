from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "绩效目标申报"

    def ready(self):
        from . import steps  # noqa: F401 - registers the wizard's steps
