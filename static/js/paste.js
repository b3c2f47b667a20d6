// Paste import of indicator tables: the previewed rows (filings/views/paste.py) become new rows of the indicator
// editor, in their 二级 groups, next to whatever the user typed and has not saved yet. Nothing is saved here:
// the user checks the rows and saves the step as usual.
(function () {
  "use strict";
  if (window.perfbudgetPasteLoaded) return;
  window.perfbudgetPasteLoaded = true;

  function message(result, kind, text) {
    const box = document.createElement("div");
    box.className = `alert alert-${kind} mb-0 paste-message`;
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.textContent = text;
    box.tabIndex = -1;
    result.replaceChildren(box);
    box.focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.paste-add");
    if (!button) return;
    const result = button.closest(".paste-result");
    const panel = button.closest(".paste-import");
    const formset = button.closest(".formset");
    if (!result || !panel || !formset || !window.perfbudgetRows) return;
    const period = result.dataset.period;
    const sources = Array.from(result.querySelectorAll("tr[data-add]"));
    const groupOf = (source) => formset.querySelector(
      `.indicator-group[data-period="${period}"][data-category="${source.dataset.category}"]`);
    // All or nothing: a row without its group on this page (the page is out of date) stops the whole paste.
    if (!sources.length || sources.some((source) => !groupOf(source))) {
      message(result, "danger", "页面上找不到这些二级指标，什么也没有添加。请保存后刷新页面再粘贴。");
      return;
    }
    const added = sources.map((source) => {
      const group = groupOf(source);
      const values = { category: source.dataset.category, period: period,
                       name: source.dataset.name, value_text: source.dataset.value };
      if (source.dataset.standard !== undefined) values.standard = source.dataset.standard;
      const row = window.perfbudgetRows.addRow(formset, group.querySelector(".formset-rows"), values);
      row.classList.add("paste-added");
      const head = group.querySelector("thead");
      if (head) head.classList.remove("visually-hidden");
      // The preview already shows the parser's reading of each 指标值: the new row shows the same. (Firing "input"
      // would not do: htmx's "changed" filter took the value set by addRow as the one already read.)
      const reading = source.querySelector(".reading");
      const shown = row.querySelector(".reading");
      if (reading && shown) shown.replaceWith(reading.cloneNode(true));
      return row;
    });
    const text = panel.querySelector(".paste-text");
    if (text) text.value = "";
    message(result, "success", `已添加 ${added.length} 行指标（尚未保存）。请在下面检查，再点“保存”。`);
  });
})();
