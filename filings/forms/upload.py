"""The upload of a filled Excel template, into a draft or as a new filing of one of the filer's units."""

from django import forms

from ..exports.excel.reader import MAX_ROWS, MAX_UPLOAD_BYTES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", allow_empty_file=True, help_text=(
        f"不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，每个工作表不超过 {MAX_ROWS} 行。"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx," + XLSX_TYPE
        if units is not None:
            self.fields["unit"] = forms.ModelChoiceField(units, label="填报单位", empty_label=None)
            self.order_fields(["unit", "file"])
