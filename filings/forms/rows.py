"""Row forms of the wizard's tables (职能, 任务, 指标)."""


class BlankRowMixin:
    """A new row the user added but left blank is no change: it is neither validated nor saved.

    Hidden bookkeeping fields (order, period, category) are filled in by the page as soon as a row is added,
    so they do not count as something the user typed.
    """

    bookkeeping = {"order", "period", "category", "id", "filing"}

    def has_changed(self):
        if self.instance.pk is not None:
            return super().has_changed()
        return any(name not in self.bookkeeping for name in self.changed_data)


def row_form(base):
    return type(f"Row{base.__name__}", (BlankRowMixin, base), {"__module__": __name__})
