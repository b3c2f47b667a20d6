"""Tables read from an uploaded Word (.docx) or Excel (.xlsx) file, safely: ``read_tables(upload)``.

A file is refused (``UnreadableFile``, a Chinese message) before any parser sees it when it is too big, not a zip,
a zip bomb, has macros or XML declarations, is an old binary or another format; see ``safety``."""

from ..exports.excel.container import UnreadableFile
from .grids import SourceTable
from .reading import read_tables

__all__ = ["SourceTable", "UnreadableFile", "read_tables"]
