// The unit picker (filings/forms/units.py): htmx asks filings:unit_search while the user types; here the request
// is given the typed text as ?q=, and the options are picked with the mouse or the keyboard (↑ ↓, Enter, Esc).
// Picking puts the unit's id in the hidden input and its name in the text field; typing again clears the id.
(function () {
  "use strict";

  function parts(picker) {
    return {
      text: picker.querySelector(".unit-picker-text"),
      id: picker.querySelector(".unit-picker-id"),
      results: picker.querySelector(".unit-picker-results"),
    };
  }

  function options(picker) {
    return Array.from(picker.querySelectorAll(".unit-picker-option"));
  }

  function activeIndex(picker) {
    return options(picker).findIndex(function (option) { return option.classList.contains("active"); });
  }

  function setActive(picker, index) {
    var all = options(picker);
    var text = parts(picker).text;
    all.forEach(function (option, i) {
      option.classList.toggle("active", i === index);
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && all[index]) {
      text.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      text.removeAttribute("aria-activedescendant");
    }
  }

  function close(picker, status) {
    var p = parts(picker);
    p.results.textContent = "";
    if (status) {
      var line = document.createElement("p");
      line.className = "visually-hidden unit-picker-status";
      line.textContent = status;
      p.results.appendChild(line);
    }
    p.text.setAttribute("aria-expanded", "false");
    p.text.removeAttribute("aria-activedescendant");
  }

  function choose(picker, option) {
    var p = parts(picker);
    p.id.value = option.dataset.unitId;
    p.text.value = option.dataset.unitName;
    close(picker, "已选择 " + option.dataset.unitName);
    p.text.dispatchEvent(new CustomEvent("unit-picked", { bubbles: true, detail: { id: p.id.value } }));
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var text = event.target;
    if (!text.classList || !text.classList.contains("unit-picker-text")) return;
    var params = event.detail.parameters;
    delete params[text.name];
    params.q = text.value;
    params.for = text.id;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var picker = event.target.closest && event.target.closest("[data-unit-picker]");
    if (!picker) return;
    var text = parts(picker).text;
    text.setAttribute("aria-expanded", options(picker).length ? "true" : "false");
    setActive(picker, -1);
  });

  document.addEventListener("input", function (event) {
    var text = event.target;
    if (!text.classList || !text.classList.contains("unit-picker-text")) return;
    var picker = text.closest("[data-unit-picker]");
    parts(picker).id.value = "";
    if (!text.value.trim()) close(picker);
  });

  document.addEventListener("keydown", function (event) {
    var text = event.target;
    if (!text.classList || !text.classList.contains("unit-picker-text")) return;
    var picker = text.closest("[data-unit-picker]");
    var all = options(picker);
    var index = activeIndex(picker);
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      setActive(picker, (index + 1) % all.length);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      setActive(picker, index <= 0 ? all.length - 1 : index - 1);
    } else if (event.key === "Enter" && index >= 0) {
      event.preventDefault();  // pick, do not submit yet
      choose(picker, all[index]);
    } else if (event.key === "Escape" && all.length) {
      event.preventDefault();
      close(picker);
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".unit-picker-option");
    if (option) {
      choose(option.closest("[data-unit-picker]"), option);
      return;
    }
    document.querySelectorAll("[data-unit-picker]").forEach(function (picker) {
      if (!picker.contains(event.target) && options(picker).length) close(picker);
    });
  });
})();
