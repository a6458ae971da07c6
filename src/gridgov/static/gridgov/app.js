/* gridgov's few page behaviours, bound by data attributes. The Content-Security-Policy runs scripts served
   from this site only (no inline script, no on*= attribute), so every page's script lives here. Listeners
   sit on the document, so parts that htmx swaps in behave the same. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLSelectElement)) return;
    if (field.hasAttribute("data-submit-on-change") && field.form) {
      field.form.submit();  // <select data-submit-on-change>: choosing is submitting
    } else if (field.dataset.go) {
      // <select data-go="../{}/?parent=3">: choosing opens that address with the value in place of {}
      window.location.href = field.dataset.go.replace("{}", encodeURIComponent(field.value));
    }
  });

  document.addEventListener("submit", function (event) {
    // A button or form with data-confirm="…" asks first (irreversible actions: reject, release, reverse …).
    var asking = (event.submitter && event.submitter.dataset.confirm) || event.target.dataset.confirm;
    if (asking && !window.confirm(asking)) event.preventDefault();
  });

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    // <form data-disable-on-submit="[type=submit]">: the button goes grey once the form is on its way,
    // so a second tap does not send it twice (the one-time form key makes a second send harmless anyway).
    var form = event.target, selector = form.dataset && form.dataset.disableOnSubmit;
    if (!selector) return;
    window.setTimeout(function () {
      form.querySelectorAll(selector).forEach(function (button) { button.disabled = true; });
    });
  });

  document.addEventListener("click", function (event) {
    // <button data-locate data-latitude="id_latitude" data-longitude="id_longitude" data-located="located">:
    // fills the two fields with the phone's position and says what it found (or why not) in the output.
    var button = event.target instanceof Element && event.target.closest("[data-locate]");
    if (!button) return;
    var out = document.getElementById(button.dataset.located);
    var words = document.documentElement.lang === "en"
      ? {busy: "Finding your location…", none: "This phone cannot tell its location.", denied: "Location not allowed or not found: allow it for this site and try again.", found: "Located ({m} m)"}
      : {busy: "正在定位…", none: "这部手机无法提供位置。", denied: "未能获取位置：请允许本网站使用定位后重试。", found: "已定位（误差约 {m} 米）"};
    if (!navigator.geolocation) { out.textContent = words.none; return; }
    out.textContent = words.busy;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById(button.dataset.latitude).value = position.coords.latitude.toFixed(6);
      document.getElementById(button.dataset.longitude).value = position.coords.longitude.toFixed(6);
      out.textContent = words.found.replace("{m}", Math.round(position.coords.accuracy));
    }, function () { out.textContent = words.denied; }, {enableHighAccuracy: true, timeout: 20000});
  });

  document.addEventListener("change", function (event) {
    // <input type=file data-photo-preview="id-of-a-div">: small previews of the chosen photos before they go.
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.photoPreview) return;
    var box = document.getElementById(input.dataset.photoPreview);
    box.replaceChildren();
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (!file.type || file.type.indexOf("image/") !== 0) return;
      var image = document.createElement("img");
      image.alt = file.name;
      image.src = URL.createObjectURL(file);
      box.appendChild(image);
    });
  });

  document.addEventListener("submit", function (event) {
    // <form data-busy-form>: the submit button goes grey and a progress line shows while the upload runs.
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-busy-form")) return;
    form.classList.add("is-busy");
    window.setTimeout(function () {
      form.querySelectorAll("[type=submit]").forEach(function (button) { button.disabled = true; });
    });
  });

  window.addEventListener("pageshow", function () {
    // Back to a page from the browser's cache: its forms are ready again.
    document.querySelectorAll("form.is-busy").forEach(function (form) {
      form.classList.remove("is-busy");
      form.querySelectorAll("[type=submit]").forEach(function (button) { button.disabled = false; });
    });
  });

  document.addEventListener("change", function (event) {
    // <input type=checkbox data-select-all="name">: ticks or unticks every checkbox of that name on the page.
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
    document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (other) {
      other.checked = box.checked;
    });
  });

  // <details data-collapse-below="960" open>: open on a wide screen, folded on a narrow one (without script: open).
  document.querySelectorAll("details[data-collapse-below]").forEach(function (details) {
    if (window.innerWidth < Number(details.dataset.collapseBelow)) details.removeAttribute("open");
  });
})();
