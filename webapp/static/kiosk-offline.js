// Keeps a counter tablet collecting when its Wi-Fi drops (the service worker /kiosk/sw.js does
// the keeping and the sending; this page script only starts it).
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
  if (!config || !("serviceWorker" in navigator)) { return; }
  var key = document.querySelector("form[data-kiosk] input[name=idempotency_key]");
  if (key && window.crypto && window.crypto.getRandomValues) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    key.value = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var badge = document.getElementById("kiosk-outbox");
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (!badge || !event.data || typeof event.data.kioskOutbox !== "number") { return; }
    var left = event.data.kioskOutbox;
    badge.hidden = left === 0;
    badge.textContent = badge.dataset.label.replace("%(n)s", String(left));
  });
  function ask(what) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(what); }
    });
  }
  function files() {
    var found = [window.location.pathname];
    if (config.dataset.thanks) { found.push(config.dataset.thanks); }
    if (config.dataset.survey) { found.push(config.dataset.survey); }
    Array.prototype.forEach.call(document.querySelectorAll("link[rel=stylesheet], script[src]"), function (el) {
      found.push(el.getAttribute("href") || el.getAttribute("src"));
    });
    return found;
  }
  // storage the browser will not evict under pressure (Chromium grants it to an installed
  // app; Safari keeps a home-screen app's storage): what waits must survive the week
  if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
  // offline the registration's own update check fails; the worker already there still answers
  navigator.serviceWorker.register(config.dataset.worker, { scope: config.dataset.scope }).catch(function () {});
  ask("count");
  if (navigator.onLine) { ask({ warm: files() }); ask("flush"); }
  window.addEventListener("online", function () { ask("flush"); });
})();
