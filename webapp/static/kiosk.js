// Kiosk tablets: a survey left half-filled is cleared after three idle minutes, so the next
// citizen never sees someone else's answers.  The page works without this script.
(function () {
  "use strict";
  var IDLE_MS = 180000;
  var timer = null;
  function started() {
    return document.querySelector("input[type=radio]:checked") !== null ||
      Array.prototype.some.call(document.querySelectorAll("textarea"), function (t) {
        return t.value.trim() !== "";
      });
  }
  function expire() {
    if (started()) {
      window.location.replace(window.location.pathname + "?lang=zh_Hant_TW");
    } else {
      arm();
    }
  }
  function arm() {
    window.clearTimeout(timer);
    timer = window.setTimeout(expire, IDLE_MS);
  }
  ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });
  arm();
}());
