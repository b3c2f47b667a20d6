"""A form variant's layout as data: what the 表样 holds and in which arrangement, read by every renderer.

`description` parses and validates the JSON stored on `FormVariant.layout`; `catalogue` names the stored fields it
may place; `extras` types the variant's own fields (stored in the ``extra`` JSON columns).
"""
