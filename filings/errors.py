"""The one error a write to a filing raises when it is refused: a code for tests and logs, a message in Chinese."""


class FilingWriteRefused(Exception):
    """A write that did not happen; nothing was changed. `message` tells the user why and what to do."""

    STALE = "stale"  # the filing was saved elsewhere after this page was opened
    NOT_EDITABLE = "not_editable"  # submitted, under review or approved meanwhile
    GONE = "gone"  # deleted meanwhile
    EXISTS = "exists"  # one 部门整体 filing per unit and year
    REFUSED = "refused"  # any other rule

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
