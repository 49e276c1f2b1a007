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
// - Once the inspector's session has ended (signed out here or elsewhere, or idle too long: a
//   page says so, or a kept page comes back as a redirect to sign-in), the kept pages are
//   deleted and no copy is served any more: offline the tablet asks to sign in again.  What
//   waits in the outbox stays, for its own inspector's next sign-in.
// The outbox itself (IndexedDB, tokens, copies) is outbox.js, shared with the counter tablets.
"use strict";
importScripts("/static/outbox.js");

var PAGES = "inspect-pages-v1";
var STORE = "queue";
var NAME = "inspect-outbox";
var outbox = Outbox.open(NAME, [STORE, "meta"]);
var run = outbox.run;
var flushing = null;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function kept(url) {          // the list and the blank checklists: by path, whatever the query
  return url.pathname === "/inspect/" || /^\/inspect\/new\/[a-z]+$/.test(url.pathname);
}
function isChecklistPost(url) {
  return /^\/inspect\/new\/[a-z]+$/.test(url.pathname) || /^\/inspect\/\d+\/edit$/.test(url.pathname);
}
function fromCopy(url) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(url.origin + url.pathname);
  }).then(function (found) {
    if (!found || !/^\/inspect\/new\//.test(url.pathname)) { return found; }
    return found.text().then(function (html) {
      html = html.replace(/(name="idempotency_key" type="hidden" value=")[^"]*"/, "$1" + Outbox.key() + '"');
      return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

// the session ended: no page of the inspector stays on the tablet, none is served from a copy
function forget() {
  return Promise.all([
    run("meta", "readwrite", function (meta) { return meta.put(true, "out"); }),
    caches.delete(PAGES)
  ]);
}
function ended() {
  return run("meta", "readonly", function (meta) { return meta.get("out"); }).catch(function () { return false; });
}
function toSignIn(answer) {   // a kept page answered with the way to sign in: the session is over
  return answer.type === "opaqueredirect" || (answer.redirected && !/^\/inspect\//.test(new URL(answer.url).pathname));
}

Outbox.intercept(isChecklistPost, post, function (request, url) {
  if (url.pathname.startsWith("/static/")) {
    return Outbox.networkFirst(request, PAGES, request.url);
  }
  if (!kept(url)) { return null; }
  return Outbox.networkFirst(request, PAGES, url.origin + url.pathname, function () {
    return ended().then(function (out) {
      if (out) { return signedOut(); }
      return fromCopy(url).then(function (found) {
        if (found) { return found; }
        if (url.pathname === "/inspect/") { return bare(); }
        return Response.error();
      });
    });
  }).then(function (answer) {
    if (!toSignIn(answer)) { return answer; }
    return forget().then(function () { tell("cleared"); return answer; }, function () { return answer; });
  });
});

// The pages this worker makes itself speak the language of the inspector's last page
// (Outbox.speaker: the server's translations that page sent); Chinese until one has.
function bare() {           // the list was never kept: say at least that the checklist is safe
  return Outbox.speaker(NAME).then(function (said) {
    return Outbox.page(said, said.say("離線"), said.say("目前無法連線"),
      '<p role="status">' + said.say("查核表已存在這台平板上，恢復連線後會自動上傳。") + '</p>' +
      '<p><a href="/inspect/">' + said.say("重新整理") + '</a></p>');
  });
}

function signedOut() {      // offline after the session ended: what waits is safe, the pages are gone
  var waiting = run(STORE, "readonly", function (store) { return store.count(); }).catch(function () { return 0; });
  return Promise.all([waiting, Outbox.speaker(NAME)]).then(function (found) {
    var n = found[0];
    var said = found[1];
    return Outbox.page(said, said.say("請重新登入"), said.say("已登出"),
      '<p role="status">' + said.say("這台平板已不保留查核任務與紀錄的頁面。請恢復連線後重新登入。") + '</p>' +
      (n ? '<p>' + said.say("這台平板上還有 %(n)s 筆查核紀錄尚未上傳，原查核人員重新登入後會自動上傳。", { n: n }) + '</p>' : "") +
      '<p><a href="/login">' + said.say("重新登入") + '</a></p>');
  });
}

function post(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      var fields = new URLSearchParams(body);
      return run("meta", "readonly", function (meta) { return meta.get("user"); }).then(function (user) {
        var item = { key: fields.get("idempotency_key") || Outbox.key(), url: url.pathname, body: body,
                     user: String(user || ""), action: fields.get("action") || "submit",
                     office: fields.get("office") || "", saved: Date.now(), problem: null };
        return run(STORE, "readwrite", function (store) { return store.put(item); });
      }).then(function () {
        Outbox.syncLater("inspect-outbox");
        return Response.redirect("/inspect/?queued=1", 303);
      }, function () { return Outbox.refused(NAME); });
    });
  });
}

var USER = /id="inspect-offline"[^>]*data-user="(\d+)"/;
var SUMMARY = /<div class="flash error error-summary"[\s\S]*?<\/div>/;
var NAMED = /<a href="#q-[^"]*">([^<]*)<\/a>/g;
var ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&#34;": '"', "&#39;": "'", "&quot;": '"' };

// The questions a refused checklist's page links to from its summary of problems (no DOM in
// a worker: the summary is the app's own markup, error_links in _fields.html).
function missing(html) {
  var block = SUMMARY.exec(html || "");
  var found = [];
  var match;
  NAMED.lastIndex = 0;
  while (block && (match = NAMED.exec(block[0])) && found.length < 5) {
    found.push(match[1].replace(/&[#\w]+;/g, function (e) { return ENTITIES[e] || e; }));
  }
  return found;
}
var STORED = /\/inspect\/\d+(\/edit)?$/;

function flush() {
  if (flushing) { return flushing; }
  flushing = run(STORE, "readonly", function (store) { return store.getAll(); }).then(function (items) {
    if (!items.some(function (item) { return !item.problem; })) { return "idle"; }
    // who is signed in now decides what is sent: a record goes up under its own inspector only
    return fetch("/inspect/", { credentials: "same-origin", cache: "no-store" }).then(function (page) {
      if (!/\/inspect\/$/.test(new URL(page.url).pathname)) {    // sent to sign in: the session is over
        return forget().then(function () { return "signed-out"; }, function () { return "signed-out"; });
      }
      return page.text().then(function (html) {
        var token = Outbox.token(html);
        var who = USER.exec(html);
        if (!token || !who) { return "signed-out"; }
        var mine = items.filter(function (item) { return !item.problem && item.user === who[1]; });
        return mine.reduce(function (chain, item) {
          return chain.then(function (state) {
            if (state !== "ok") { return state; }
            var fields = new URLSearchParams(item.body);
            fields.set("csrf_token", token);
            return fetch(item.url, { method: "POST", body: fields, credentials: "same-origin" }).then(function (answer) {
              var landed = new URL(answer.url).pathname;
              if (answer.ok && answer.redirected && STORED.test(landed)) {
                return run(STORE, "readwrite", function (store) { return store.delete(item.key); }).then(function () {
                  return run("meta", "readwrite", function (meta) { return meta.put(Date.now(), "lastSent"); });
                }).then(function () { return "ok"; });
              }
              if (answer.status === 409 || answer.status === 400) {      // for the inspector to decide
                return answer.text().catch(function () { return ""; }).then(function (html) {
                  item.problem = answer.status;
                  item.missing = missing(html);     // what the server's page says is wrong
                  return run(STORE, "readwrite", function (store) { return store.put(item); });
                }).then(function () { return "ok"; });
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

function tell(state) { Outbox.tell({ inspectOutbox: state }); }

Outbox.listen(NAME, flush, function (data, event) {
  if (Array.isArray(data.warm)) {         // the list, the blank checklists and their files
    event.waitUntil(Outbox.warm(PAGES, data.warm, function (url) {
      return kept(url) || url.pathname.startsWith("/static/");
    }, function (url) { return kept(url) ? url.origin + url.pathname : url.href; }));
  }
  if (data.clearPages) {        // another inspector signs in on this tablet: no page of the last one
    event.waitUntil(caches.delete(PAGES).then(function () { tell("cleared"); }));
  }
  if (data.signedOut) {         // the inspector signs out, or the sign-in page shows: the session is over
    event.waitUntil(forget().then(function () { tell("cleared"); }));
  }
});
