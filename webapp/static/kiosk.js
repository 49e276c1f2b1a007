// Counter tablets are shared by one citizen after another.  This script keeps each citizen's
// answers away from the next one, and gives every citizen control over the time they need:
// - a page restored from the back-forward cache is loaded afresh, and a form is cleared as the
//   page is left, so Back or Forward never shows an earlier citizen's answers;
// - the thank-you page returns to a blank form after a pause that any tap stops, replacing
//   itself in the history (no entry to go Back to);
// - a half-filled survey left idle is cleared, but only after a warning with a large button
//   that gives more time (announced to screen readers); any tap, key or scroll also does.
// The pages work without this script (the server sends no-store and autocomplete=off).
(function () {
  "use strict";
  var IDLE_MS = 180000;      // a survey untouched this long is cleared ...
  var WARN_MS = 30000;       // ... after a warning shown this long before
  var THANKS_MS = 20000;     // the thank-you page's pause before the next citizen's form
  // what a citizen types besides comments: a name, a number, a day
  var TYPED = "input[type=text], input[type=number], input[type=date], input[type=datetime-local]";

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
  window.addEventListener("pagehide", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      form.reset();
      // reset() brings back what the server wrote into a refused page; the next citizen must
      // not find a name or a phone number there
      Array.prototype.forEach.call(form.querySelectorAll(TYPED), function (field) {
        field.value = "";
      });
    });
  });

  function restartTo(url) { window.location.replace(url); }

  // Every link on a tablet's page replaces the page instead of adding to the history, so Back
  // never leads to a page the last citizen filled in (a refused call-back form, an offer).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || event.defaultPrevented ||
        link.origin !== window.location.origin || link.getAttribute("href").charAt(0) === "#") {
      return;
    }
    event.preventDefault();
    restartTo(link.href);
  });

  var restart = document.querySelector("[data-restart]");
  if (restart) {
    var countdown = document.querySelector("[data-countdown]");
    var paused = document.querySelector("[data-paused]");
    var seconds = document.querySelector("[data-seconds]");
    // the page says how long (longer when it offers a call back: there is more to read)
    var left = (seconds && parseInt(seconds.textContent, 10)) || Math.round(THANKS_MS / 1000);
    var tick = null;
    restart.addEventListener("click", function (event) {
      event.preventDefault();
      restartTo(restart.href);
    });
    if (countdown) { countdown.hidden = false; }
    tick = window.setInterval(function () {
      left -= 1;
      if (seconds) { seconds.textContent = String(Math.max(left, 0)); }
      if (left <= 0) {
        window.clearInterval(tick);
        restartTo(restart.href);
      }
    }, 1000);
    // Any sign of someone still reading stops the countdown: a tap, a key, or the focus moving
    // (WCAG 2.2.1: a person who needs more time must be able to take it, keyboard included).
    var pause = function (event) {
      if (tick === null || (event.type === "pointerdown" && restart.contains(event.target))) {
        return;
      }
      window.clearInterval(tick);
      tick = null;
      if (countdown) { countdown.hidden = true; }
      if (paused) { paused.textContent = paused.dataset.text; }   // a live region from the start
    };
    ["pointerdown", "keydown", "focusin"].forEach(function (name) {
      document.addEventListener(name, pause);
    });
    return;
  }

  var form = document.querySelector("form[data-kiosk]");
  var warning = document.getElementById("idle-warning");
  if (!form || !warning) { return; }
  var warnTimer = null;
  var resetTimer = null;
  function started() {
    return form.querySelector("input[type=radio]:checked, input[type=checkbox]:checked") !== null ||
      Array.prototype.some.call(form.querySelectorAll("textarea, " + TYPED), function (t) {
        return t.value.trim() !== "";
      });
  }
  function reset() {
    // Back to a blank form in the language the citizen chose, replacing this page (from the
    // call-back form: to the survey's first page, which it names).
    restartTo(form.dataset.resetTo ||
      window.location.pathname + "?lang=" + encodeURIComponent(form.dataset.lang || ""));
  }
  function warn() {
    // an untouched survey waits for the next citizen; a call-back form is always one citizen's
    if (!started() && !form.dataset.resetTo) { arm(); return; }
    warning.hidden = false;
    warning.querySelector("button").focus({ preventScroll: true });
    resetTimer = window.setTimeout(reset, WARN_MS);
  }
  function arm() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(resetTimer);
    warning.hidden = true;
    warnTimer = window.setTimeout(warn, IDLE_MS - WARN_MS);
  }
  warning.querySelector("button").addEventListener("click", arm);
  ["pointerdown", "keydown", "input", "scroll", "focusin"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!warning.hidden && warning.contains(event.target) && name !== "pointerdown") { return; }
      arm();
    }, { passive: true, capture: true });
  });
  arm();
}());
