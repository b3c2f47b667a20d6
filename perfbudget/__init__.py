import os

# python-docx brings lxml, and openpyxl switches to lxml when it finds it: its XML is then parsed by lxml (entities
# unresolved but DTDs allowed) instead of defusedxml, and written with every CJK character as a character reference.
# Keep openpyxl on the standard library and defusedxml, as before lxml was installed. Read when openpyxl is first
# imported; this package is imported before any settings or app module.
os.environ.setdefault("OPENPYXL_LXML", "False")
