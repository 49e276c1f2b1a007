// The save bar sticks to the bottom of a tall screen; a field that takes the focus behind it
// is scrolled clear (WCAG 2.4.7/2.4.11).  Browsers do not always honour scroll-padding there.
(function () {
  "use strict";
  var bar = document.querySelector(".inspector .buttons");
  if (!bar) { return; }
  document.addEventListener("focusin", function (event) {
    // keyboard focus only: a tap must not move the page under the finger
    if (bar.contains(event.target) || !event.target.matches(":focus-visible") ||
        window.getComputedStyle(bar).position !== "sticky") {
      return;
    }
    var target = event.target.closest("label.choice") || event.target;
    var box = target.getBoundingClientRect();
    var top = bar.getBoundingClientRect().top;
    if (box.bottom > top - 8) { window.scrollBy(0, box.bottom - top + 16); }
  });
}());

// Inspectors fill checklists on tablets with weak Wi-Fi.  While they type, the form is copied to
// this tablet's localStorage (one copy per page address); if the page is lost before the server
// has it -- a failed send, a closed tab -- the next visit offers to restore it, idempotency key
// included, so a send that did reach the server is not stored twice.  A copy is dropped once a
// page shows that the server holds that record at least as new.  The page works without this.
(function () {
  "use strict";
  var PREFIX = "sq-inspect:";
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) { return; }

  function backups() {
    var found = [];
    for (var i = 0; i < store.length; i += 1) {
      var name = store.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        try { found.push({ name: name, copy: JSON.parse(store.getItem(name)) }); } catch (e) {}
      }
    }
    return found;
  }

  // A page that shows a stored record: copies of it no newer than the server's are done with.
  var stored = document.querySelector("[data-stored-key]");
  if (stored) {
    var key = stored.getAttribute("data-stored-key");
    var savedAt = Number(stored.getAttribute("data-stored-at"));
    backups().forEach(function (b) {
      if (b.copy && b.copy.key === key && b.copy.saved <= savedAt) { store.removeItem(b.name); }
    });
  }

  var form = document.querySelector("form[data-backup]");
  if (!form) { return; }
  var name = PREFIX + window.location.pathname;

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "submit";
    });
  }
  function save() {
    var values = [];
    fields().forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      values.push([el.name, el.value]);
    });
    var keyField = form.elements.namedItem("idempotency_key");
    try {
      store.setItem(name, JSON.stringify({ saved: Date.now(), key: keyField && keyField.value,
                                           values: values }));
    } catch (e) { /* storage full or refused: the page still works */ }
  }
  function restore(copy) {
    var byName = {};    // name -> every value saved under it (a multiple choice has several)
    copy.values.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    fields().forEach(function (el) {
      var saved = Object.prototype.hasOwnProperty.call(byName, el.name) ? byName[el.name] : null;
      if (el.type === "radio" || el.type === "checkbox") { el.checked = !!saved && saved.indexOf(el.value) >= 0; }
      else if (saved) { el.value = saved[0]; }
    });
  }

  var banner = document.getElementById("backup-banner");
  var copy = null;
  try { copy = JSON.parse(store.getItem(name)); } catch (e) { copy = null; }
  var sentBack = document.querySelector("div.flash.error, .has-error") !== null;  // a re-shown POST
  if (copy && copy.values && banner && !sentBack) {
    var when = new Date(copy.saved);
    banner.querySelector("[data-when]").textContent = when.toLocaleString();
    banner.hidden = false;
    banner.querySelector("[data-restore]").addEventListener("click", function () {
      restore(copy);
      banner.hidden = true;
    });
    banner.querySelector("[data-discard]").addEventListener("click", function () {
      store.removeItem(name);
      banner.hidden = true;
    });
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
}());

// A checklist started from a task (/inspect/new/mystery?office=TPH-DAAN) has its office chosen
// by the server; offline the tablet shows its kept blank checklist instead, so the address's
// office is chosen here too -- the same query the online page honours, and only when nothing
// has been chosen yet.
(function () {
  "use strict";
  var office = document.querySelector("form#checklist select[name=office]");
  var wanted = new URLSearchParams(window.location.search).get("office");
  if (!office || !wanted || office.value) { return; }
  if (Array.prototype.some.call(office.options, function (o) { return o.value === wanted; })) {
    office.value = wanted;
  }
}());
