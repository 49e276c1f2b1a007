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
"use strict";

var CACHE = "kiosk-pages-v1";
var STORE = "queue";
var flushing = null;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function outbox() {
  return new Promise(function (resolve, reject) {
    var opening = indexedDB.open("kiosk-outbox", 1);
    opening.onupgradeneeded = function () { opening.result.createObjectStore(STORE, { keyPath: "key" }); };
    opening.onsuccess = function () { resolve(opening.result); };
    opening.onerror = function () { reject(opening.error); };
  });
}

function run(mode, work) {
  return outbox().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(STORE, mode);
      var result = work(tx.objectStore(STORE));
      tx.oncomplete = function () { db.close(); resolve(result && result.result); };
      tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
    });
  });
}

function isSurvey(url) { return /^\/kiosk\/[^/]+$/.test(url.pathname); }
function kept(request) { return caches.match(request, { ignoreSearch: isSurvey(new URL(request.url)) }); }

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && isSurvey(url)) {
    event.respondWith(post(request, url));
    return;
  }
  if (request.method !== "GET" || !(url.pathname.startsWith("/kiosk/") || url.pathname.startsWith("/static/"))) {
    return;
  }
  event.respondWith(fetch(request).then(function (fresh) {
    if (fresh.ok && !fresh.redirected) {
      var copy = fresh.clone();
      caches.open(CACHE).then(function (cache) {
        return cache.put(isSurvey(url) ? url.origin + url.pathname : request, copy);
      });
    }
    return fresh;
  }, function (error) {
    return kept(request).then(function (found) { if (found) { return found; } throw error; });
  }));
});

function refused() {         // the browser would not keep it (storage full or refused)
  return new Response('<!doctype html><html lang="zh-Hant-TW"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>無法暫存</title>' +
    '<main><h1>目前無法連線，這台平板也無法暫存</h1><p role="alert">儲存空間不足或被瀏覽器拒絕。' +
    '請按「上一頁」回到填寫的內容，恢復連線後再送出。</p></main></html>',
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function post(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      var fields = new URLSearchParams(body);
      if (fields.has("switch_lang")) {           // a language switch needs the server
        return kept(new Request(url.origin + url.pathname));
      }
      fields.delete("sent_at");
      fields.set("queued_at", new Date().toISOString());
      var item = { key: fields.get("idempotency_key") || String(Date.now()), url: url.pathname,
                   body: fields.toString() };
      return run("readwrite", function (store) { return store.put(item); }).then(function () {
        if (self.registration.sync) { self.registration.sync.register("kiosk-outbox").catch(function () {}); }
        return Response.redirect(url.pathname + "/thanks", 303);
      }, refused);
    });
  });
}

var TOKEN = /name="csrf_token"[^>]*value="([^"]+)"/;

function flush() {
  if (flushing) { return flushing; }
  flushing = run("readonly", function (store) { return store.getAll(); }).then(function (items) {
    return items.reduce(function (chain, item) {
      return chain.then(function (go) {
        if (!go) { return false; }
        return fetch(item.url, { credentials: "same-origin", cache: "no-store" }).then(function (page) {
          return page.text();
        }).then(function (html) {
          var found = TOKEN.exec(html);
          if (!found) { return false; }
          var fields = new URLSearchParams(item.body);
          fields.set("csrf_token", found[1]);
          fields.set("sent_at", new Date().toISOString());
          return fetch(item.url, { method: "POST", body: fields, credentials: "same-origin",
                                   redirect: "manual" }).then(function (answer) {
            // stored (a redirect to the thank-you page), or refused for good (a 4xx the tablet
            // cannot fix): gone from the tablet; a 5xx or 429: kept for the next try
            var done = answer.type === "opaqueredirect" ||
              (answer.status >= 400 && answer.status < 500 && answer.status !== 429 && answer.status !== 408);
            if (!done) { return false; }
            return run("readwrite", function (store) { return store.delete(item.key); }).then(function () { return true; });
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
  return run("readonly", function (store) { return store.count(); }).catch(function () { return 0; });
}

function tell(left) {
  self.clients.matchAll().then(function (pages) {
    pages.forEach(function (page) { page.postMessage({ kioskOutbox: left }); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "kiosk-outbox") { event.waitUntil(flush()); }
});
self.addEventListener("message", function (event) {
  if (event.data && Array.isArray(event.data.warm)) {       // the pages and files to keep
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(event.data.warm.filter(function (path) {
        var url = new URL(path, self.location.origin);
        return url.origin === self.location.origin &&
          (url.pathname.startsWith("/kiosk/") || url.pathname.startsWith("/static/"));
      }).map(function (path) { return cache.add(path).catch(function () {}); }));
    }));
  }
  if (event.data === "flush") { event.waitUntil(flush()); }
  if (event.data === "count") { event.waitUntil(count().then(tell)); }
});
