"""A printed cell writes on a web page exactly what ``print/cell.html`` writes (the PDF still renders the template)."""

import itertools

from django.template.loader import render_to_string

from filings.exports.printed import Cell


def test_a_cell_writes_the_markup_of_the_cell_template():
    texts = ["", "636.17", "<b>医共体</b> & “引号”", "第一段\n第二段"]
    shapes = itertools.product([False, True], ["", "num", "pre label"], [1, 3], [1, 2], [False, True])
    cells = 0
    for text, (header, css, rowspan, colspan, inline) in itertools.product(texts, shapes):
        cell = Cell(text=text, header=header, css=css, rowspan=rowspan, colspan=colspan, long=not inline,
                    label="收入合计<1>" if inline else "", separator="：" if inline else "", inline=inline)
        expected = render_to_string("filings/print/cell.html", {"cell": cell, "pdf": False})
        assert cell.html == expected, cell
        cells += 1
    assert cells == 4 * 2 * 3 * 2 * 2 * 2
