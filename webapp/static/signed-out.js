// The sign-in page: nobody is signed in on this browser now (signed out here or on another
// device, or idle too long).  If an inspector's tablet keeps pages for offline use (the worker
// of /inspect/, inspect-sw.js), it is told the session is over: it deletes the kept task list
// and checklists and serves no copy until an inspector signs in again.  Records still waiting
// to be sent stay in the tablet's outbox for their own inspector.
(function () {
  "use strict";
  var mark = document.getElementById("signed-out");
  if (!mark || !("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.getRegistration(mark.dataset.scope).then(function (registration) {
    var worker = registration && (registration.active || registration.waiting || registration.installing);
    if (worker) { worker.postMessage({ signedOut: true }); }
  }).catch(function () {});
})();
