// A staff session ends after STAFF_IDLE_MINUTES without a request (shared tablets).  Nobody is
// signed out unwarned (WCAG 2.2.1): shortly before, a dialog offers to go on; and a page with
// changes not yet sent keeps the session alive by itself, so a form is never posted into a
// session that has ended.  When time is up on an untouched page, the sign-in page is opened,
// leading back here.
(function () {
  "use strict";
  var box = document.getElementById("staff-idle");
  if (!box || !window.fetch) { return; }
  var idle = Number(box.dataset.idleMs);
  if (!(idle > 0)) { return; }
  var ahead = Math.min(120000, idle / 4);     // warned two minutes ahead (a quarter if shorter)
  var button = box.querySelector("button");
  var last = Date.now();
  var dirty = false;
  var warnTimer = null;
  var endTimer = null;

  function ping() {
    last = Date.now();
    schedule();
    return fetch(box.dataset.alive, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) {
        if (answer.redirected || answer.status === 401) { ended(); }   // it had ended already
      }).catch(function () {});                                       // offline: try again later
  }
  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = window.setTimeout(function () {
      if (dirty) { ping(); return; }        // unsaved changes: stay signed in, nothing to ask
      box.hidden = false;
      button.focus();
    }, idle - ahead);
    endTimer = window.setTimeout(ended, idle);
  }
  function ended() {
    window.location.assign(box.dataset.login + "?next=" +
                           encodeURIComponent(window.location.pathname + window.location.search));
  }
  button.addEventListener("click", ping);
  document.addEventListener("input", function (event) {
    if (!event.target.form) { return; }
    dirty = true;
    if (Date.now() - last > 60000) { ping(); }   // typing is use, as a request would be
  });
  document.addEventListener("submit", function () { dirty = false; });
  schedule();
}());
