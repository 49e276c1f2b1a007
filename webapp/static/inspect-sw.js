// The inspectors' service worker, served as /inspect/sw.js: its scope is /inspect/ only.
//
// - The task list (/inspect/), the blank checklists (/inspect/new/<kind>) and their files are
//   fetched from the network and a copy kept, so they open with no network.  A blank checklist
//   served from the copy gets a fresh idempotency key: two checklists never share one.
// - A checklist saved or sent while the server cannot be reached waits in IndexedDB
//   ("inspect-outbox") under its idempotency key, with whose it is, and the inspector lands on
//   the task list, which shows what waits.
// - What waits is sent when a page asks (on load, on "online") or on Background Sync, with a
//   fresh CSRF token, only for the inspector signed in now, and removed only once the server
//   shows the stored record.  A refusal (a conflict with a change made elsewhere, a missing
//   answer) stays on the tablet, marked, for the inspector to open and decide.
"use strict";

var PAGES = "inspect-pages-v1";
var STORE = "queue";
var flushing = null;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function outbox() {
  return new Promise(function (resolve, reject) {
    var opening = indexedDB.open("inspect-outbox", 1);
    opening.onupgradeneeded = function () {
      opening.result.createObjectStore(STORE, { keyPath: "key" });
      opening.result.createObjectStore("meta");
    };
    opening.onsuccess = function () { resolve(opening.result); };
    opening.onerror = function () { reject(opening.error); };
  });
}

function run(store, mode, work) {
  return outbox().then(function (db) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(store, mode);
      var request = work(tx.objectStore(store));
      tx.oncomplete = function () { db.close(); resolve(request && request.result); };
      tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
    });
  });
}

function kept(url) {          // the list and the blank checklists: by path, whatever the query
  return url.pathname === "/inspect/" || /^\/inspect\/new\/[a-z]+$/.test(url.pathname);
}
function isChecklistPost(url) {
  return /^\/inspect\/new\/[a-z]+$/.test(url.pathname) || /^\/inspect\/\d+\/edit$/.test(url.pathname);
}
function freshKey() {
  var bytes = new Uint8Array(16);
  self.crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

function fromCopy(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(url.origin + url.pathname);
  }).then(function (found) {
    if (!found || !/^\/inspect\/new\//.test(url.pathname)) { return found; }
    return found.text().then(function (html) {
      html = html.replace(/(name="idempotency_key" type="hidden" value=")[^"]*"/, "$1" + freshKey() + '"');
      return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && isChecklistPost(url)) {
    event.respondWith(post(request, url));
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(fetch(request).then(function (fresh) {
      if (fresh.ok) {
        var copy = fresh.clone();
        caches.open(PAGES).then(function (cache) { return cache.put(request, copy); });
      }
      return fresh;
    }, function (error) {
      return caches.match(request).then(function (found) { if (found) { return found; } throw error; });
    }));
    return;
  }
  if (!kept(url)) { return; }
  event.respondWith(fetch(request).then(function (fresh) {
    if (fresh.ok && !fresh.redirected) {
      var copy = fresh.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(url.origin + url.pathname, copy); });
    }
    return fresh;
  }, function (error) {
    return fromCopy(url).then(function (found) {
      if (found) { return found; }
      if (url.pathname === "/inspect/") { return bare(); }
      throw error;
    });
  }));
});

function bare() {           // the list was never kept: say at least that the checklist is safe
  return new Response('<!doctype html><html lang="zh-Hant-TW"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>離線</title>' +
    '<main><h1>目前無法連線</h1><p role="status">查核表已存在這台平板上，恢復連線後會自動上傳。</p>' +
    '<p><a href="/inspect/">重新整理</a></p></main></html>',
    { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

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
      return run("meta", "readonly", function (meta) { return meta.get("user"); }).then(function (user) {
        var item = { key: fields.get("idempotency_key") || freshKey(), url: url.pathname, body: body,
                     user: String(user || ""), action: fields.get("action") || "submit",
                     office: fields.get("office") || "", saved: Date.now(), problem: null };
        return run(STORE, "readwrite", function (store) { return store.put(item); });
      }).then(function () {
        if (self.registration.sync) { self.registration.sync.register("inspect-outbox").catch(function () {}); }
        return Response.redirect("/inspect/?queued=1", 303);
      }, refused);
    });
  });
}

var TOKEN = /name="csrf_token" value="([^"]+)"/;
var USER = /id="inspect-offline"[^>]*data-user="(\d+)"/;
var STORED = /\/inspect\/\d+(\/edit)?$/;

function flush() {
  if (flushing) { return flushing; }
  flushing = run(STORE, "readonly", function (store) { return store.getAll(); }).then(function (items) {
    if (!items.some(function (item) { return !item.problem; })) { return "idle"; }
    // who is signed in now decides what is sent: a record goes up under its own inspector only
    return fetch("/inspect/", { credentials: "same-origin", cache: "no-store" }).then(function (page) {
      if (!/\/inspect\/$/.test(new URL(page.url).pathname)) { return "signed-out"; }
      return page.text().then(function (html) {
        var found = TOKEN.exec(html);
        var who = USER.exec(html);
        if (!found || !who) { return "signed-out"; }
        var mine = items.filter(function (item) { return !item.problem && item.user === who[1]; });
        return mine.reduce(function (chain, item) {
          return chain.then(function (state) {
            if (state !== "ok") { return state; }
            var fields = new URLSearchParams(item.body);
            fields.set("csrf_token", found[1]);
            return fetch(item.url, { method: "POST", body: fields, credentials: "same-origin" }).then(function (answer) {
              var landed = new URL(answer.url).pathname;
              if (answer.ok && answer.redirected && STORED.test(landed)) {
                return run(STORE, "readwrite", function (store) { return store.delete(item.key); }).then(function () {
                  return run("meta", "readwrite", function (meta) { return meta.put(Date.now(), "lastSent"); });
                }).then(function () { return "ok"; });
              }
              if (answer.status === 409 || answer.status === 400) {      // for the inspector to decide
                item.problem = answer.status;
                return run(STORE, "readwrite", function (store) { return store.put(item); }).then(function () { return "ok"; });
              }
              return "later";
            });
          });
        }, Promise.resolve("ok"));
      });
    });
  }).catch(function () { return "later"; }).then(function (state) {
    flushing = null;
    tell(state);
    return state;
  });
  return flushing;
}

function tell(state) {
  self.clients.matchAll().then(function (pages) {
    pages.forEach(function (page) { page.postMessage({ inspectOutbox: state }); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "inspect-outbox") { event.waitUntil(flush()); }
});
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.flush) { event.waitUntil(flush()); }
  if (Array.isArray(data.warm)) {         // the list, the blank checklists and their files
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return Promise.all(data.warm.filter(function (path) {
        var url = new URL(path, self.location.origin);
        return url.origin === self.location.origin && (kept(url) || url.pathname.startsWith("/static/"));
      }).map(function (path) {
        var url = new URL(path, self.location.origin);
        return fetch(url.href, { credentials: "same-origin" }).then(function (fresh) {
          if (fresh.ok && !fresh.redirected) {
            return cache.put(kept(url) ? url.origin + url.pathname : url.href, fresh);
          }
        }).catch(function () {});
      }));
    }));
  }
  if (data.clearPages) {        // another inspector signs in on this tablet: no page of the last one
    event.waitUntil(caches.delete(PAGES).then(function () { tell("cleared"); }));
  }
});
