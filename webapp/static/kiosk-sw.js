// The counter tablet's service worker, served as /kiosk/sw.js: its scope is /kiosk/ and
// nothing else (no staff page, no other citizen's page ever passes through it).
//
// - Pages of /kiosk/ and the static files they use are fetched from the network and a copy is
//   kept; with no network the copy is served, so the survey opens and reloads offline.  The
//   copies are the blank survey and the thank-you page: no answers are ever in this cache.
// - A survey posted while the server cannot be reached is kept in IndexedDB ("kiosk-outbox")
//   with the moment it was answered, and the citizen gets the normal thank-you page.
// - Kept answers are sent when the page asks (on load, on the "online" event, after every
//   thank-you page) or on Background Sync, each with a fresh CSRF token, its own idempotency
//   key (the server stores each once, however often it is sent) and the tablet's clock at
//   sending, and removed only once the server has answered for it.
// The outbox itself (IndexedDB, tokens, copies) is outbox.js, shared with the inspectors' tablets.
"use strict";
importScripts("/static/outbox.js");

var CACHE = "kiosk-pages-v1";
var NAME = "kiosk-outbox";
var queue = Outbox.open(NAME, ["queue"]);
var flushing = null;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function isSurvey(url) { return /^\/kiosk\/[^/]+$/.test(url.pathname); }
function copyKey(url) { return isSurvey(url) ? url.origin + url.pathname : url.href; }
// A page with a query (a thank-you page carrying one citizen's call-back offer, or saying their
// request arrived) and the call-back form are one citizen's: never kept, never shown offline to
// the next one.  The survey's own ?lang= copies are kept under its path (copyKey).
function keepable(url) {
  if (url.pathname.startsWith("/static/")) { return true; }
  if (!url.pathname.startsWith("/kiosk/") || /\/contact$/.test(url.pathname)) { return false; }
  return isSurvey(url) || url.search === "";
}

Outbox.intercept(isSurvey, post, function (request, url) {
  return keepable(url) ? Outbox.networkFirst(request, CACHE, copyKey(url)) : null;
});

function post(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      var fields = new URLSearchParams(body);
      if (fields.has("switch_lang")) {           // a language switch needs the server
        return caches.open(CACHE).then(function (cache) { return cache.match(url.origin + url.pathname); });
      }
      fields.delete("sent_at");
      fields.set("queued_at", new Date().toISOString());
      var item = { key: fields.get("idempotency_key") || Outbox.key(), url: url.pathname,
                   body: fields.toString() };
      return queue.run("queue", "readwrite", function (store) { return store.put(item); }).then(function () {
        Outbox.syncLater("kiosk-outbox");
        return Response.redirect(url.pathname + "/thanks", 303);
      }, function () { return Outbox.refused(NAME); });   // in the citizen's language
    });
  });
}

function flush() {
  if (flushing) { return flushing; }
  flushing = queue.run("queue", "readonly", function (store) { return store.getAll(); }).then(function (items) {
    return items.reduce(function (chain, item) {
      return chain.then(function (go) {
        if (!go) { return false; }
        return fetch(item.url, { credentials: "same-origin", cache: "no-store" }).then(function (page) {
          return page.text();
        }).then(function (html) {
          var token = Outbox.token(html);
          if (!token) { return false; }
          var fields = new URLSearchParams(item.body);
          fields.set("csrf_token", token);
          fields.set("sent_at", new Date().toISOString());
          return fetch(item.url, { method: "POST", body: fields, credentials: "same-origin",
                                   redirect: "manual" }).then(function (answer) {
            // stored (a redirect to the thank-you page), or refused for good (a 4xx the tablet
            // cannot fix): gone from the tablet; a 5xx or 429: kept for the next try
            var done = answer.type === "opaqueredirect" ||
              (answer.status >= 400 && answer.status < 500 && answer.status !== 429 && answer.status !== 408);
            if (!done) { return false; }
            return queue.run("queue", "readwrite", function (store) { return store.delete(item.key); }).then(function () { return true; });
          });
        });
      }, function () { return false; });
    }, Promise.resolve(true));
  }).catch(function () { return false; }).then(function (result) {
    flushing = null;
    return count().then(function (left) { tell(left); return result; });
  });
  return flushing;
}

function count() {
  return queue.run("queue", "readonly", function (store) { return store.count(); }).catch(function () { return 0; });
}

function tell(left) { Outbox.tell({ kioskOutbox: left }); }

Outbox.listen(NAME, flush, function (data, event) {
  if (Array.isArray(data.warm)) { event.waitUntil(Outbox.warm(CACHE, data.warm, keepable, copyKey)); }
  if (data.count) { event.waitUntil(count().then(tell)); }
});
