// An inspector's tablet keeps working when the Wi-Fi drops (the service worker /inspect/sw.js
// keeps pages and queued checklists; this script starts it and shows what waits).
// - It tells the worker (through IndexedDB) who is signed in, so a queued checklist goes up
//   under its own inspector only, and drops the previous inspector's kept pages when another
//   signs in on this tablet.
// - It asks the worker to send what waits on load and on "online", and shows on the task list:
//   how many wait, when the last one went up, and those the inspector must decide (a change
//   made elsewhere meanwhile, a missing answer), each opened with the server's own page.
// - Signing out with checklists waiting asks first; nothing waiting is ever discarded by signing
//   out, but the tablet keeps no page of the inspector's: the worker drops its copies and serves
//   none from then on (marked in IndexedDB before the sign-out is sent, so that holds offline
//   even if the worker is slow), until an inspector signs in again.
(function () {
  "use strict";
  var config = document.getElementById("inspect-offline");
  if (!config || !("serviceWorker" in navigator) || !("indexedDB" in window) || !window.Outbox) { return; }
  var user = config.dataset.user;

  var run = Outbox.open("inspect-outbox", ["queue", "meta"]).run;
  function mine() {
    return run("queue", "readonly", function (s) { return s.getAll(); }).then(function (items) {
      return items.filter(function (item) { return item.user === user; });
    });
  }
  var ask = Outbox.ask;
  function say(template, values) {
    return Object.keys(values).reduce(function (text, name) {
      return text.replace("%(" + name + ")s", String(values[name]));
    }, template || "");
  }

  var panel = document.getElementById("outbox-panel");
  // office codes as the page names them, and times in the page's own language
  var offices = panel ? JSON.parse(panel.dataset.offices || "{}") : {};
  var lang = document.documentElement.lang || "zh-Hant-TW";
  function when(stamp) {
    return new Date(stamp).toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  }
  var note = document.getElementById("queued-note");
  if (note && /[?&]queued=1(&|$)/.test(window.location.search)) { note.hidden = false; }
  function token() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }
  function reopen(item) {
    // the server's own page for it (both versions on a conflict, the errors on a refusal)
    var form = document.createElement("form");
    form.method = "post";
    form.action = item.url;
    new URLSearchParams(item.body).forEach(function (value, name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = name === "csrf_token" ? token() : value;
      form.appendChild(input);
    });
    document.body.appendChild(form);
    run("queue", "readwrite", function (s) { return s.delete(item.key); }).then(function () { form.submit(); });
  }
  var badge = document.querySelector(".outbox-count");    // on every page, in the bar
  function count() {
    if (!badge) { return; }
    mine().then(function (items) {
      badge.hidden = items.length === 0;
      badge.textContent = say(badge.dataset.label, { n: items.length });
    }).catch(function () {});
  }
  function show(state) {
    count();
    if (!panel) { return; }
    Promise.all([mine(), run("meta", "readonly", function (m) { return m.get("lastSent"); })]).then(function (found) {
      var items = found[0];
      var last = found[1];
      var waiting = items.filter(function (item) { return !item.problem; });
      var decide = items.filter(function (item) { return item.problem; });
      var quiet = items.length === 0 && !last;      // the live summary stays, empty
      panel.classList.toggle("quiet", quiet);
      panel.querySelector("h2").hidden = quiet;
      var lines = [];
      if (waiting.length || !decide.length) { lines.push(say(panel.dataset.waiting, { n: waiting.length })); }
      if (decide.length) { lines.push(say(panel.dataset.blocked, { n: decide.length })); }
      lines.push(last ? say(panel.dataset.last, { when: when(last) }) : panel.dataset.never);
      if (!navigator.onLine && waiting.length) { lines.push(panel.dataset.offline); }
      if (state === "signed-out" && waiting.length) { lines.push(panel.dataset.signin); }
      panel.querySelector("[data-summary]").textContent = quiet ? "" : lines.join(" · ");
      var list = panel.querySelector("[data-items]");
      list.textContent = "";
      decide.forEach(function (item) {
        var li = document.createElement("li");
        var what = (item.missing || []).length ? say(panel.dataset.missing, { items: item.missing.join("、") })
          : panel.dataset.changed;
        li.textContent = say(panel.dataset.decide, { office: offices[item.office] || item.office || panel.dataset.nooffice,
                                                     when: when(item.saved), what: what }) + " ";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "primary";
        button.textContent = panel.dataset.open;
        button.addEventListener("click", function () { reopen(item); });
        li.appendChild(button);
        list.appendChild(li);
      });
    }).catch(function () {});
  }

  run("meta", "readwrite", function (m) { m.delete("out"); return m.put(user, "user"); }).catch(function () {});
  var before = null;
  try { before = window.localStorage.getItem("sq-inspect-user"); window.localStorage.setItem("sq-inspect-user", user); } catch (e) {}
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.inspectOutbox) { show(event.data.inspectOutbox); }
  });
  Outbox.start(config);
  if (before !== null && before !== user) { ask({ clearPages: true }); }
  if (navigator.onLine) {
    ask({ warm: (config.dataset.keep || "").split(" ").filter(Boolean).concat(Outbox.files()) });
    ask({ flush: true });
  }
  window.addEventListener("online", function () { ask({ flush: true }); show(); });
  window.addEventListener("offline", function () { show(); });
  show();

  var leave = document.querySelector("form[action$='/logout']");
  if (leave) {
    leave.addEventListener("submit", function (event) {
      if (leave.dataset.confirmed) { return; }
      event.preventDefault();
      mine().then(function (items) {
        if (items.length && !window.confirm(say(config.dataset.warn, { n: items.length }))) { return; }
        out();
      }, out);
    });
  }
  function out() {         // the session ends: no page of this inspector's is served from a copy
    leave.dataset.confirmed = "1";
    var worker = navigator.serviceWorker.controller;
    if (worker) { worker.postMessage({ signedOut: true }); }
    run("meta", "readwrite", function (m) { return m.put(true, "out"); }).catch(function () {}).then(function () {
      leave.submit();
    });
  }
})();
