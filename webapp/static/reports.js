// The report form.  (1) The comparison picker offers only earlier periods of the same kind as
// the chosen period (a half-year against a quarter cannot be compared); the server renders the
// same choice, this keeps it right when the period is changed.  (2) A report on a period not
// built before can take seconds: say so while the next page loads.  The form works without this.
(function () {
  "use strict";
  var form = document.querySelector("form.filters[data-busy]");
  if (!form) { return; }
  var period = form.elements.period;
  var compare = form.elements.compare_to;

  function comparable(value, chosen) {
    // periods are written 2025H2 / 2025Q3: same kind letter, and earlier in the same format
    return value.length === chosen.length && value.charAt(4) === chosen.charAt(4) &&
      value < chosen;
  }

  function restrict() {
    var chosen = period.value;
    var best = null;
    Array.prototype.forEach.call(compare.options, function (option) {
      if (!option.value) { return; }
      var ok = comparable(option.value, chosen);
      option.disabled = !ok;
      option.hidden = !ok;
      if (ok && (best === null || option.value > best.value)) { best = option; }
    });
    var current = compare.options[compare.selectedIndex];
    if (current && current.disabled) {
      // the period just before is the comparison people mean; none left: compare nothing
      if (best) { best.selected = true; } else { compare.value = ""; }
    }
  }

  if (period && compare) {
    period.addEventListener("change", restrict);
    restrict();
  }

  // (3) On paper every chart is needed, not only those scrolled to: fetch the rest now.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("img[loading=lazy]"), function (img) {
      img.loading = "eager";
    });
  });

  form.addEventListener("submit", function () {
    var status = form.querySelector(".busy");
    if (status) { status.textContent = form.getAttribute("data-busy"); }
    form.setAttribute("aria-busy", "true");
  });
}());
