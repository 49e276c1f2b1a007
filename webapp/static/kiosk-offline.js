// Keeps a counter tablet collecting when its Wi-Fi drops (the service worker /kiosk/sw.js does
// the keeping and the sending; this page script only starts it; both use outbox.js).
// - Every page view gets its own idempotency key: a survey page opened from the tablet's
//   cache would otherwise carry the key it was cached with, and two citizens would share it.
// - The survey, the thank-you page and their files are kept by the worker while online, so
//   they are there when the network is not.
// - Kept answers are sent on load and whenever the browser says it is online again.
// - Counter staff see "N 筆待上傳" in a corner while answers wait; the citizen's answers are never
//   shown, and the page never holds them after it is left (kiosk.js).
(function () {
  "use strict";
  var config = document.getElementById("kiosk-offline");
  if (!config || !("serviceWorker" in navigator) || !window.Outbox) { return; }
  var key = document.querySelector("form[data-kiosk] input[name=idempotency_key]");
  if (key && window.crypto && window.crypto.getRandomValues) { key.value = Outbox.key(); }
  var badge = document.getElementById("kiosk-outbox");
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (!badge || !event.data || typeof event.data.kioskOutbox !== "number") { return; }
    var left = event.data.kioskOutbox;
    // a live region from the start: only its text changes (empty, it takes no room)
    badge.textContent = left === 0 ? "" : badge.dataset.label.replace("%(n)s", String(left));
  });
  Outbox.start(config);
  Outbox.ask({ count: true });
  if (navigator.onLine) {
    var pages = [window.location.pathname, config.dataset.thanks, config.dataset.survey];
    Outbox.ask({ warm: pages.filter(Boolean).concat(Outbox.files()) });
    Outbox.ask({ flush: true });
  }
  window.addEventListener("online", function () { Outbox.ask({ flush: true }); });
})();
