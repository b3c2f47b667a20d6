"""Exports and imports: the printed form (printed.py, pages.py), its PDF (pdf.py) and PDF batches (batches.py), and
the Excel workbooks (excel/). They read the models and the layout description only, never the wizard, its steps, the
template tags or the views (`tests/test_architecture.py`)."""
