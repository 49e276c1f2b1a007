// The offline outbox both kinds of tablet share: counter tablets (kiosk-sw.js, kiosk-offline.js)
// and inspectors' tablets (inspect-sw.js, inspect-offline.js).  Loaded by the service workers
// with importScripts and by the pages with a script tag, before their own script; it defines
// one global, Outbox, and does nothing by itself.
//
// - Outbox.open(name, stores): an IndexedDB database of object stores ("queue" keyed by each
//   form's idempotency key, and for the inspectors "meta"), and run(store, mode, work) on it.
// - Outbox.token(html): the CSRF token of a page, read one way for both tablets.
// - Outbox.key(): a fresh idempotency key (a page opened from a kept copy must not reuse one).
// - Outbox.page / Outbox.refused(name): the plain pages a worker makes itself (refused: the
//   browser will not keep a form), in the language of the page last shown (Outbox.speaker).
// - Outbox.networkFirst / Outbox.warm: pages and files from the network, a copy kept for when
//   the network is gone.
// - Outbox.intercept / Outbox.listen / Outbox.tell: a worker's requests and messages.
// - Outbox.ask / Outbox.start: what a page asks its worker; starting the worker, asking for
//   storage that is not evicted, and telling it the page's language (data-said).
// Messages to a worker are objects: {flush: true}, {count: true}, {warm: [paths]},
// {clearPages: true}, {said: {lang, texts}}.
(function (scope) {
  "use strict";

  function open(name, stores) {
    function connect() {
      return new Promise(function (resolve, reject) {
        var opening = indexedDB.open(name, 1);
        opening.onupgradeneeded = function () {
          stores.forEach(function (store) {
            if (store === "queue") { opening.result.createObjectStore(store, { keyPath: "key" }); }
            else { opening.result.createObjectStore(store); }
          });
        };
        opening.onsuccess = function () { resolve(opening.result); };
        opening.onerror = function () { reject(opening.error); };
      });
    }
    return {
      // one transaction on one store; resolves with what the request in it gave
      run: function (store, mode, work) {
        return connect().then(function (db) {
          return new Promise(function (resolve, reject) {
            var tx = db.transaction(store, mode);
            var request = work(tx.objectStore(store));
            tx.oncomplete = function () { db.close(); resolve(request && request.result); };
            tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
          });
        });
      }
    };
  }

  var TOKEN = /name="csrf_token"[^>]*value="([^"]+)"/;

  function token(html) {
    var found = TOKEN.exec(html);
    return found ? found[1] : null;
  }

  function key() {
    var bytes = new Uint8Array(16);
    scope.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // A worker's own pages speak the language of the page the user was on: every page sends
  // its language and the server's translations of what the worker writes ({said: {lang,
  // texts}}, _worker_said.html), keyed by the Chinese the worker writes.  A worker forgets its
  // globals whenever it stops, so they are kept in the Cache, one entry per worker (name), and
  // outlive the kept pages (a signed-out page still speaks the inspector's language).  Nothing
  // kept, or a text missing: the worker's own Chinese.
  var SAID = "outbox-said";
  var HTML = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function saidKey(name) { return scope.location.origin + "/outbox-said/" + encodeURIComponent(name); }
  function keepSaid(name, said) {
    if (!said || typeof said.lang !== "string" || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(said.lang) ||
        !said.texts || typeof said.texts !== "object") {
      return Promise.resolve();
    }
    var kept = JSON.stringify({ lang: said.lang, texts: said.texts });
    return caches.open(SAID).then(function (cache) {
      return cache.put(saidKey(name), new Response(kept, { headers: { "Content-Type": "application/json" } }));
    }).catch(function () {});
  }
  // resolves with {lang, say(chinese, values)}: say gives the text, HTML-escaped, in that language
  function speaker(name) {
    return caches.open(SAID).then(function (cache) { return cache.match(saidKey(name)); }).then(function (found) {
      return found ? found.json() : null;
    }).catch(function () { return null; }).then(function (said) {
      var texts = (said && said.texts) || {};
      function say(chinese, values) {
        var text = typeof texts[chinese] === "string" ? texts[chinese] : chinese;
        Object.keys(values || {}).forEach(function (field) { text = text.replace("%(" + field + ")s", String(values[field])); });
        return text.replace(/[&<>"']/g, function (c) { return HTML[c]; });
      }
      return { lang: said ? said.lang : "zh-Hant-TW", say: say };
    });
  }

  // title and heading as the speaker said them; text is HTML made of what it said
  function page(speaker, title, heading, text, status) {
    return new Response('<!doctype html><html lang="' + speaker.lang + '"><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>' + title + '</title>' +
      '<main><h1>' + heading + '</h1>' + text + '</main></html>',
      { status: status || 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }

  function refused(name) {   // the browser would not keep it (storage full or refused)
    return speaker(name).then(function (said) {
      return page(said, said.say("無法暫存"), said.say("目前無法連線，這台平板也無法暫存"),
        '<p role="alert">' + said.say("儲存空間不足或被瀏覽器拒絕。請按「上一頁」回到填寫的內容，恢復連線後再送出。") + '</p>', 503);
    });
  }

  // from the network, keeping a copy under copyKey; with no network, the copy, or what
  // offline() makes of the lack of one (a page that is not kept: the network's own error)
  function networkFirst(request, cacheName, copyKey, offline) {
    return fetch(request).then(function (fresh) {
      if (fresh.ok && !fresh.redirected) {
        var copy = fresh.clone();
        caches.open(cacheName).then(function (cache) { return cache.put(copyKey, copy); });
      }
      return fresh;
    }, function (error) {
      if (offline) { return offline(); }
      return caches.open(cacheName).then(function (cache) { return cache.match(copyKey); }).then(function (found) {
        if (found) { return found; }
        throw error;
      });
    });
  }

  // fetch and keep the paths a page named that keepable(url) allows, each under copyKey(url)
  function warm(cacheName, paths, keepable, copyKey) {
    return caches.open(cacheName).then(function (cache) {
      return Promise.all(paths.map(function (path) { return new URL(path, scope.location.origin); })
        .filter(function (url) { return url.origin === scope.location.origin && keepable(url); })
        .map(function (url) {
          return fetch(url.href, { credentials: "same-origin" }).then(function (fresh) {
            if (fresh.ok && !fresh.redirected) { return cache.put(copyKey(url), fresh); }
          }).catch(function () {});
        }));
    });
  }

  function syncLater(tag) {
    if (scope.registration && scope.registration.sync) { scope.registration.sync.register(tag).catch(function () {}); }
  }

  // a worker: this site's requests only; a form posted to a page keeps(url) names goes to
  // post(request, url), a GET to get(request, url), which answers a Response or nothing
  function intercept(keeps, post, get) {
    scope.addEventListener("fetch", function (event) {
      var request = event.request;
      var url = new URL(request.url);
      if (url.origin !== scope.location.origin) { return; }
      var answer = request.method === "POST" ? (keeps(url) ? post(request, url) : null)
        : request.method === "GET" ? get(request, url) : null;
      if (answer) { event.respondWith(answer); }
    });
  }

  // a worker: Background Sync under tag, and {flush: true} from a page, both send what waits;
  // {said: ...} is kept under tag for the worker's own pages; other messages go to more(data, event)
  function listen(tag, flush, more) {
    scope.addEventListener("sync", function (event) {
      if (event.tag === tag) { event.waitUntil(flush()); }
    });
    scope.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.flush) { event.waitUntil(flush()); }
      if (data.said) { event.waitUntil(keepSaid(tag, data.said)); }
      more(data, event);
    });
  }

  // a worker: tell every page it controls
  function tell(message) {
    scope.clients.matchAll().then(function (pages) {
      pages.forEach(function (page) { page.postMessage(message); });
    });
  }

  function ask(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage(message); }
    });
  }

  // the page's stylesheets and scripts, which the tablet needs offline too
  function files() {
    return Array.prototype.map.call(document.querySelectorAll("link[rel=stylesheet], script[src]"),
      function (el) { return el.getAttribute("href") || el.getAttribute("src"); });
  }

  function start(config) {
    // storage the browser will not evict under pressure (Chromium grants it to an installed
    // app; Safari keeps a home-screen app's storage): what waits must survive the week
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
    // offline the registration's own update check fails; the worker already there still answers
    navigator.serviceWorker.register(config.dataset.worker, { scope: config.dataset.scope }).catch(function () {});
    // this page's language and the server's words for the worker's own pages (see speaker)
    var said = null;
    try { said = JSON.parse(config.dataset.said || "null"); } catch (e) { said = null; }
    if (said) { ask({ said: said }); }
  }

  scope.Outbox = { open: open, token: token, key: key, page: page, refused: refused, speaker: speaker,
                   networkFirst: networkFirst, warm: warm, syncLater: syncLater, listen: listen, intercept: intercept,
                   tell: tell, ask: ask,
                   files: files, start: start };
}(self));
