// The wizard's small helpers: unsaved-change guard, row add/remove/reorder, live totals and suggestions.
(function () {
  "use strict";

  // --- numbers as officers type them: 1,234.5, full-width digits, spaces -------------------------------
  function normalizeNumber(text) {
    return (text || "").replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
      .replace(/\uFF0E/g, ".").replace(/[\s,\uFF0C]/g, "");
  }
  // Exact sums: amounts become integers of millionths (BigInt), never floats.
  function toMicro(text) {
    const clean = normalizeNumber(text);
    if (!/^-?\d+(\.\d{0,6})?$/.test(clean)) return null;
    const [whole, fraction = ""] = clean.replace("-", "").split(".");
    const value = BigInt(whole) * 1000000n + BigInt((fraction + "000000").slice(0, 6));
    return clean.startsWith("-") ? -value : value;
  }
  function fromMicro(value) {
    const negative = value < 0n;
    const absolute = negative ? -value : value;
    const whole = (absolute / 1000000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const fraction = (absolute % 1000000n).toString().padStart(6, "0").replace(/0+$/, "");
    return (negative ? "-" : "") + whole + (fraction ? "." + fraction : "");
  }
  function field(form, name) {
    return form.querySelector(`[name$="-${name}"]`);
  }

  // --- leaving with unsaved changes ------------------------------------------------------------------------
  document.querySelectorAll("form[data-dirty-guard]").forEach((form) => {
    let dirty = false;
    form.addEventListener("input", (event) => { if (!event.target.closest("[data-no-dirty]")) dirty = true; });
    form.addEventListener("change", (event) => { if (!event.target.closest("[data-no-dirty]")) dirty = true; });
    form.addEventListener("submit", () => { dirty = false; });
    window.addEventListener("beforeunload", (event) => {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    form.markDirty = () => { dirty = true; };
  });

  // --- row formsets ---------------------------------------------------------------------------------------------
  function renumber(formset) {
    let position = 1;
    formset.querySelectorAll(".formset-row").forEach((row) => {
      const order = row.querySelector(".row-order");
      if (order && !row.classList.contains("d-none")) order.value = position++;
    });
  }
  function addRow(formset, tbody, values) {
    const prefix = formset.dataset.prefix;
    const total = formset.querySelector(`[name="${prefix}-TOTAL_FORMS"]`);
    const index = Number(total.value);
    const template = formset.querySelector("template.empty-row");
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    Object.entries(values || {}).forEach(([name, value]) => {
      const input = row.querySelector(`[name="${prefix}-${index}-${name}"]`);
      if (input) input.value = value;
    });
    tbody.appendChild(row);
    total.value = String(index + 1);
    renumber(formset);
    if (window.htmx) window.htmx.process(row);
    const form = formset.closest("form");
    if (form && form.markDirty) form.markDirty();
    return row;
  }
  // The indicator step's completeness banner (templates/filings/partials/completeness.html) refreshes on these
  // events from the rows on the page; static/js/paste.js sends "perfbudget:rows-added" after a paste.
  function rowsChanged() {
    document.dispatchEvent(new CustomEvent("perfbudget:rows-changed"));
  }
  window.perfbudgetRows = { addRow };  // for static/js/paste.js (rows pasted from Excel/Word)
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const formset = button.closest(".formset");
    if (!formset) return;
    const row = button.closest(".formset-row");
    const form = formset.closest("form");
    if (button.classList.contains("add-row")) {
      const added = addRow(formset, formset.querySelector(".formset-rows"));
      added.querySelector("input:not([type=hidden]), textarea").focus();
    } else if (button.classList.contains("add-indicator") || button.classList.contains("mark-not-applicable")
               || button.classList.contains("use-suggestion")) {
      const group = button.closest(".indicator-group");
      const values = { category: group.dataset.category, period: group.dataset.period };
      if (button.classList.contains("mark-not-applicable")) Object.assign(values, { name: "不适用", value_text: "不适用" });
      if (button.classList.contains("use-suggestion")) Object.assign(values, { name: button.dataset.name, value_text: button.dataset.value });
      const added = addRow(formset, group.querySelector(".formset-rows"), values);
      const value = added.querySelector(".indicator-value");
      if (value && values.value_text) value.dispatchEvent(new Event("input", { bubbles: true }));
      // A row that already says something (不适用, a suggestion) changes what the completeness banner reports.
      if (values.name) rowsChanged();
      added.querySelector(button.classList.contains("add-indicator") ? ".indicator-name" : ".indicator-value").focus();
    } else if (button.classList.contains("copy-annual-to-implementation")) {
      // Each visible 年度 row is added to the same 二级 group of the 实施期 set.
      formset.querySelectorAll('.indicator-group[data-period="annual"] .formset-row:not(.d-none)').forEach((source) => {
        const group = source.closest(".indicator-group");
        const target = formset.querySelector(`.indicator-group[data-period="implementation"][data-category="${group.dataset.category}"]`);
        if (!target) return;
        const read = (cls) => (source.querySelector(cls) || {}).value || "";
        const values = { category: group.dataset.category, period: "implementation",
                         name: read(".indicator-name"), value_text: read(".indicator-value") };
        const standard = source.querySelector('[name$="-standard"]');
        if (standard) values.standard = standard.value;
        source.querySelectorAll("[data-extra]").forEach((input) => { values[`extra.${input.dataset.extra}`] = input.value; });
        if (values.name || values.value_text) addRow(formset, target.querySelector(".formset-rows"), values);
      });
    } else if (button.classList.contains("toggle-side-by-side")) {
      const on = formset.classList.toggle("side-by-side");
      button.setAttribute("aria-pressed", String(on));
    } else if (button.classList.contains("row-remove") && row) {
      row.querySelector(".row-delete").checked = true;
      row.classList.add("d-none");
      renumber(formset);
      if (form && form.markDirty) form.markDirty();
      updateTotals();
      if (row.classList.contains("indicator-row")) rowsChanged();
    } else if ((button.classList.contains("row-up") || button.classList.contains("row-down")) && row) {
      const up = button.classList.contains("row-up");
      let sibling = up ? row.previousElementSibling : row.nextElementSibling;
      while (sibling && sibling.classList.contains("d-none")) sibling = up ? sibling.previousElementSibling : sibling.nextElementSibling;
      if (!sibling) return;
      if (up) sibling.before(row); else sibling.after(row);
      renumber(formset);
      button.focus();
      if (form && form.markDirty) form.markDirty();
    }
  });

  // --- live totals and the recomputed 执行率 ---------------------------------------------------------------------
  function updateTotals() {
    document.querySelectorAll(".live-total").forEach((box) => {
      const form = box.closest("form");
      let sum = 0n, any = false;
      box.dataset.parts.split(" ").forEach((name) => {
        const input = field(form, name);
        const value = input ? toMicro(input.value) : null;
        if (value !== null) { sum += value; any = true; }
      });
      const totalInput = field(form, box.dataset.total);
      const total = totalInput ? toMicro(totalInput.value) : null;
      const output = box.querySelector("output");
      output.textContent = any ? fromMicro(sum) + (total !== null && total !== sum ? `（与合计 ${fromMicro(total)} 相差 ${fromMicro(sum - total)}）` : "") : "—";
      box.classList.toggle("text-danger", any && total !== null && total !== sum);
    });
    document.querySelectorAll(".computed-rate").forEach((box) => {
      const form = box.closest("form");
      const actual = toMicro((field(form, box.dataset.rateOf) || {}).value);
      const base = box.dataset.rateBase.split(" ").map((name) => toMicro((field(form, name) || {}).value)).find((v) => v !== null && v !== 0n);
      const output = box.querySelector("output");
      output.textContent = actual !== null && base ? (Number(actual * 1000000n / base) / 10000).toFixed(2) + "%" : "—";
    });
    document.querySelectorAll(".column-total").forEach((cell) => {
      const table = cell.closest("table");
      let sum = 0n, any = false;
      table.querySelectorAll(`.formset-row:not(.d-none) [name$="-${cell.dataset.column}"]`).forEach((input) => {
        const value = toMicro(input.value);
        if (value !== null) { sum += value; any = true; }
      });
      cell.querySelector("output").textContent = any ? fromMicro(sum) : "—";
    });
  }
  document.addEventListener("input", (event) => {
    if (event.target.matches("input")) updateTotals();
  });
  updateTotals();

  // Jump to the first error on a page that came back with them.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
