"""Indicator tables modelled on published forms, as data for table tests (tests/test_table_shapes.py)."""
