"""Printed 一级/二级 names without what forms add around them, so that they can be compared.

Published tables mark rows and explain categories inside the name cell: “数量指标（必填）”, “★质量指标”,
“【选填】生态效益指标”, “时效指标¹”, “成本指标注1”, “数量指标（反映提供的公共产品和服务数量）”, “一、产出指标”,
“产出\n指标”. `strip_annotations` keeps only the name. Framework-free: the paste reader and the models use it.
"""

import re

# A bracketed part is never part of a category name: a mark (必填, 可选, 核心指标) or an explanation (反映……).
_BRACKETS = re.compile(r"[（(【\[〔［《<＜][^）)】\]〕］》>＞]*[）)】\]〕］》>＞]")
_OPEN_TO_END = re.compile(r"[（(【\[〔［].*$")  # an explanation whose closing bracket was cut off
_MARKS = re.compile(r"[★☆※*＊△▲●◆◎■□◇#＃√✓✔·•]")
_FOOTNOTES = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹\u2460-\u2473\u2776-\u277f]")  # superscripts, ①-⑳, ❶-❿
_NOTE_MARK = re.compile(r"注[0-9０-９]*$")
_LEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[0-9０-９]+(?:[.．][0-9０-９]+)*[、.．)）]?)")
_TRAILING_NUMBER = re.compile(r"(?<=[\u4e00-\u9fff])[0-9０-９]+$")
# An explanation after the name: “数量指标：反映……”, “数量指标——反映……”, “数量指标-反映……”.
_EXPLANATION = re.compile(r"(?:[:：]|——|--|—|-)(?:反映|指|是|包括|主要|用于|衡量).*$|[:：]$")


def strip_annotations(name: str) -> str:
    """The name as the form means it: no line breaks or spaces, no marks, footnotes, numbering or explanations.

    A cell that is nothing but a bracket (“（数量指标）”) keeps what is inside it."""
    text = "".join((name or "").split())
    if not text:
        return ""
    inner = text.strip("（()）【】[]〔〕［］")
    text = _OPEN_TO_END.sub("", _BRACKETS.sub("", text)) or inner
    text = _EXPLANATION.sub("", _FOOTNOTES.sub("", _MARKS.sub("", text)))
    text = _LEADING_NUMBER.sub("", text)
    text = _TRAILING_NUMBER.sub("", _NOTE_MARK.sub("", text))
    return text.strip("、，,.。；;：:-—")
