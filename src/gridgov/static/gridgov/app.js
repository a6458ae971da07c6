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
    // <button data-locate data-latitude="id_latitude" data-longitude="id_longitude" data-located="located">
    var button = event.target instanceof Element && event.target.closest("[data-locate]");
    if (!button || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById(button.dataset.latitude).value = position.coords.latitude.toFixed(6);
      document.getElementById(button.dataset.longitude).value = position.coords.longitude.toFixed(6);
      document.getElementById(button.dataset.located).textContent = "✓";
    });
  });

  // <details data-collapse-below="960" open>: open on a wide screen, folded on a narrow one (without script: open).
  document.querySelectorAll("details[data-collapse-below]").forEach(function (details) {
    if (window.innerWidth < Number(details.dataset.collapseBelow)) details.removeAttribute("open");
  });
})();
