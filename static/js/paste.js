// Paste import of indicator tables: the previewed rows (filings/views/paste.py) become new rows of the indicator
// editor, in their 二级 groups, next to whatever the user typed and has not saved yet. Nothing is saved here:
// the user checks the rows and saves the step as usual. Rows with problems stay in the preview, which is re-posted
// with the lines already added, so they are never offered twice.
(function () {
  "use strict";
  if (window.perfbudgetPasteLoaded) return;
  window.perfbudgetPasteLoaded = true;

  const STORE = "perfbudget-paste:";  // sessionStorage: the paste text kept across the save of a scheme switch

  function message(result, kind, text) {
    const box = document.createElement("div");
    box.className = `alert alert-${kind} mb-2 paste-message`;
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.textContent = text;
    box.tabIndex = -1;
    result.prepend(box);
    box.focus();
  }

  function hidden(parent, name, value) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    parent.appendChild(input);
  }

  function addRows(button) {
    const result = button.closest(".paste-result");
    const formset = button.closest(".formset");
    if (!result || !formset || !window.perfbudgetRows) return;
    const period = result.dataset.period;
    const sources = Array.from(result.querySelectorAll("tr[data-add]"));
    const groupOf = (fields) => formset.querySelector(
      `.indicator-group[data-period="${period}"][data-category="${fields.category}"]`);
    const rows = sources.map((source) => ({ source, fields: JSON.parse(source.dataset.fields) }));
    // All or nothing: a row without its group on this page (the page is out of date) stops the whole paste.
    if (!rows.length || rows.some(({ fields }) => !groupOf(fields))) {
      message(result, "danger", "页面上找不到这些二级指标，什么也没有添加。请保存后刷新页面再粘贴。");
      return;
    }
    const state = result.querySelector(".paste-state");
    rows.forEach(({ source, fields }) => {
      const group = groupOf(fields);
      const row = window.perfbudgetRows.addRow(formset, group.querySelector(".formset-rows"), fields);
      row.classList.add("paste-added");
      const head = group.querySelector("thead");
      if (head) head.classList.remove("visually-hidden");
      // The preview already shows the parser's reading of each 指标值: the new row shows the same. (Firing "input"
      // would not do: htmx's "changed" filter took the value set by addRow as the one already read.)
      const reading = source.querySelector(".reading");
      const shown = row.querySelector(".reading");
      if (reading && shown) shown.replaceWith(reading.cloneNode(true));
      hidden(state, "paste_added", source.dataset.line);
    });
    hidden(state, "paste_adding", "1");
    sources.forEach((source) => source.removeAttribute("data-add"));
    button.disabled = true;
    document.dispatchEvent(new CustomEvent("perfbudget:rows-added", { detail: { period, count: rows.length } }));
    // The preview again, with the lines just added: the count, and the rows that still need the user.
    result.querySelector(".paste-refresh").click();
  }

  // A scheme switch is a save of the step with the other scheme chosen: everything typed on the page is saved with
  // it, and the paste text is kept in this tab to be previewed again on the page that follows.
  function switchScheme(button) {
    const panel = button.closest(".paste-import");
    const form = button.closest("form");
    const radio = form && form.querySelector(`input[name="scheme-scheme"][value="${button.dataset.scheme}"]`);
    const save = form && form.querySelector('button[type="submit"][name="save"]');
    const result = button.closest(".paste-result");
    if (!radio || !save) {
      message(result, "danger", "本页不能更换指标体系。请刷新页面后重试。");
      return;
    }
    const text = panel.querySelector(".paste-text");
    sessionStorage.setItem(STORE + location.pathname + ":" + panel.dataset.period, text ? text.value : "");
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    save.click();
  }

  document.addEventListener("click", (event) => {
    const add = event.target.closest("button.paste-add");
    if (add) addRows(add);
    const scheme = event.target.closest("button.paste-switch-scheme");
    if (scheme) switchScheme(scheme);
  });

  // Enter in a cell fixed in the preview updates the preview; it must not submit (and save) the whole step.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.classList.contains("paste-edit")) return;
    event.preventDefault();
    const update = event.target.closest("tr").querySelector(".paste-update");
    if (update) update.click();
  });

  // A preview read from another text is out of date: its choices and added lines belong to that text.
  document.addEventListener("input", (event) => {
    if (!event.target.classList.contains("paste-text")) return;
    const panel = event.target.closest(".paste-import");
    const preview = panel && panel.querySelector(".paste-preview");
    if (preview && preview.querySelector(".paste-result")) {
      preview.replaceChildren();
      const note = document.createElement("p");
      note.className = "small text-muted mb-0 paste-stale";
      note.textContent = "文本已改动，请点“预览”重新读取。";
      preview.appendChild(note);
    }
  });

  // An answer may set the paste box: a file's table read into it, or the box cleared when every row is done.
  document.addEventListener("htmx:afterSwap", (event) => {
    const set = event.target.querySelector && event.target.querySelector(".paste-set-text");
    const panel = event.target.closest && event.target.closest(".paste-import");
    const box = panel && panel.querySelector(".paste-text");
    if (set && box) box.value = set.value;
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".paste-import").forEach((panel) => {
      const key = STORE + location.pathname + ":" + panel.dataset.period;
      const text = sessionStorage.getItem(key);
      if (text === null) return;
      sessionStorage.removeItem(key);
      const box = panel.querySelector(".paste-text");
      if (!box || !text) return;
      box.value = text;
      const collapse = panel.querySelector(".paste-panel");
      if (collapse) collapse.classList.add("show");
      const toggle = panel.querySelector(".paste-toggle");
      if (toggle) toggle.setAttribute("aria-expanded", "true");
      panel.querySelector(".paste-preview-button").click();
    });
  });
})();
