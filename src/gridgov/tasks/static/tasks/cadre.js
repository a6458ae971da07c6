/* The cadre's task pages: the area picker (chips and search over the ticked boxes, which stay the form's
   field, so the page works the same without script) and a busy label on a submit button. Served from this
   site (the Content-Security-Policy runs no inline script); listeners sit on the document, so results that
   htmx swaps in behave the same. */
(function () {
  "use strict";

  function renderChips(picker) {
    var list = picker.querySelector("[data-area-chips]");
    if (!list) return;
    list.textContent = "";
    picker.querySelectorAll("input[name=nodes]:checked").forEach(function (box) {
      var chip = document.createElement("li"), text = document.createElement("span"),
          remove = document.createElement("button");
      chip.className = "area-chip";
      text.textContent = box.dataset.place;
      remove.type = "button";
      remove.className = "chip-remove";
      remove.dataset.unpick = box.value;
      remove.setAttribute("aria-label", (picker.dataset.removeLabel || "") + " " + box.dataset.place);
      remove.textContent = "×";
      chip.append(text, remove);
      list.append(chip);
    });
  }

  document.querySelectorAll("[data-area-picker]").forEach(function (picker) {
    picker.classList.add("picker-live");
    var tree = picker.querySelector("details.area-tree");
    if (tree && !picker.classList.contains("has-error")) tree.removeAttribute("open");
    renderChips(picker);
  });

  document.addEventListener("change", function (event) {
    var box = event.target, picker = box.closest && box.closest("[data-area-picker]");
    if (picker && box.name === "nodes") renderChips(picker);
  });

  document.addEventListener("click", function (event) {
    // <button data-pick="12"> in the search results ticks area 12; a chip's <button data-unpick="12"> unticks it.
    var button = event.target instanceof Element && event.target.closest("[data-pick], [data-unpick]");
    var picker = button && button.closest("[data-area-picker]");
    if (!picker) return;
    var picking = button.hasAttribute("data-pick"), box = picker.querySelector("#area-" + (button.dataset.pick || button.dataset.unpick));
    if (!box) return;
    box.checked = picking;
    if (picking) button.classList.add("picked");
    renderChips(picker);
  });

  document.addEventListener("keydown", function (event) {
    // Enter in the area search searches; it must not send the whole form.
    if (event.key === "Enter" && event.target instanceof Element && event.target.hasAttribute("data-area-search")) {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", function (event) {
    // <button data-busy-label="正在发布…">: once the form is on its way (not cancelled by a confirmation), say so.
    var form = event.target;
    window.setTimeout(function () {
      if (event.defaultPrevented) return;
      form.querySelectorAll("[data-busy-label]").forEach(function (button) {
        button.textContent = button.dataset.busyLabel;
        button.classList.add("busy");
        button.setAttribute("aria-busy", "true");
      });
    });
  });
})();
