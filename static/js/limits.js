// Character counts under text areas with a length limit (data-maxlength, see filings/forms/fields.py). The limit
// is not enforced here: the whole text is sent and the server answers with its message, keeping what was typed.
(function () {
  "use strict";

  // Counted as the server counts: code points, line breaks as one, ends trimmed.
  function length(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
  }
  function update(area) {
    const limit = Number(area.dataset.maxlength);
    if (!limit) return;
    let counter = area.nextElementSibling;
    if (!counter || !counter.classList.contains("char-count")) {
      counter = document.createElement("div");
      counter.className = "form-text text-end char-count";
      area.insertAdjacentElement("afterend", counter);
    }
    const used = length(area.value);
    counter.textContent = used > limit ? `${used} / ${limit} 字，超出 ${used - limit} 字` : `${used} / ${limit} 字`;
    counter.classList.toggle("text-danger", used > limit);
  }
  document.querySelectorAll("textarea[data-maxlength]").forEach(update);
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("textarea[data-maxlength]")) update(event.target);
  });
})();
