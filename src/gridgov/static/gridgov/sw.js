/* gridgov's service worker: the app opens and the pages a person saw stay readable without the network.

   Served at /sw.js by gridgov/pwa.py, which puts self.GRIDGOV_SW (the cache version and the addresses) in
   front of this file. Static files: cache first (the cache's name changes with any of them). Pages: the
   network first, the copy last seen when the network fails, the offline page when there is none. Only GET
   requests to this site; never the API, the admin, logging in or out. Pages are kept for one login only
   (see gridgov/pwa.py: the X-Gridgov-Viewer header). A page answered from the cache carries
   <meta name="gridgov-kept" content="(when it was kept, ms since 1970)"> at the top of its head, so that its
   script says "offline, the copy kept at …" even where navigator.onLine stays true (a phone on a network
   without data: every fetch fails, yet it counts as connected). Forms sent offline wait in the outbox of offline.js,
   which this worker also sends on Background Sync. */
"use strict";

var CONFIG = self.GRIDGOV_SW;
var STATIC_CACHE = "gridgov-static-" + CONFIG.version;
var PAGE_CACHE = "gridgov-pages";
var VIEWER_KEY = new URL("/__gridgov-viewer", self.location.origin).href;  // which login the pages belong to
var MOST_PAGES = 40;
var KEPT_HEADER = "X-Gridgov-Kept-At";  // on a kept page only, in the cache: when the network answered it

importScripts(CONFIG.outbox);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.addAll(CONFIG.shell); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("gridgov-static-") === 0 && name !== STATIC_CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (request.method === "POST" && url.pathname === CONFIG.logout) event.waitUntil(forgetPages());
    return;  // sent to the network as usual: forms, the API, the outbox's sends
  }
  if (url.pathname.indexOf(CONFIG.static) === 0) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === CONFIG.catalog) {
    event.respondWith(networkFirst(request, STATIC_CACHE));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === self.GridgovOutbox.SYNC_TAG) {
    // A promise that fails makes the browser try again later, as it does when the network is still down.
    event.waitUntil(self.GridgovOutbox.flush().then(function (report) {
      if (report.stopped === "offline" || report.stopped === "retry") throw new Error("the outbox still waits");
    }));
  }
});

function keepable(response) {
  return response && response.ok && response.type === "basic";
}

function cacheFirst(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (keepable(response)) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function networkFirst(request, cacheName) {
  return caches.open(cacheName).then(function (cache) {
    return fetch(request).then(function (response) {
      if (keepable(response)) cache.put(request, response.clone());
      return response;
    }, function () {
      return cache.match(request, {ignoreVary: true}).then(function (hit) { return hit || Response.error(); });
    });
  });
}

function page(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    event.waitUntil(remember(request, response.clone()));
    return response;
  }, function () {
    return caches.open(PAGE_CACHE)
      .then(function (cache) { return cache.match(request, {ignoreVary: true}); })
      .then(function (hit) { return hit ? marked(hit) : caches.match(CONFIG.offline, {ignoreVary: true}); })
      .then(function (hit) { return hit || Response.error(); });
  });
}

/* The kept copy, told apart from a live page: the time it was kept, in a meta tag the page's script reads (a
   page cannot read the headers of its own document). Pages kept before this worker have only the Date header. */
function marked(hit) {
  var keptAt = Number(hit.headers.get(KEPT_HEADER)) || Date.parse(hit.headers.get("Date") || "") || 0;
  return hit.text().then(function (html) {
    var meta = '<meta name="gridgov-kept" content="' + keptAt + '">';
    var head = /<head(\s[^>]*)?>/i.exec(html);
    var body = head ? html.slice(0, head.index + head[0].length) + meta + html.slice(head.index + head[0].length)
      : meta + html;
    var headers = new Headers(hit.headers);
    headers.delete("Content-Length");  // the body grew by the meta tag
    return new Response(body, {status: hit.status, statusText: hit.statusText, headers: headers});
  });
}

/* What the page cache holds: the answer as it came, with the time it was kept. */
function stamped(response) {
  var headers = new Headers(response.headers);
  headers.set(KEPT_HEADER, String(Date.now()));
  return response.blob().then(function (body) {
    return new Response(body, {status: response.status, statusText: response.statusText, headers: headers});
  });
}

function notCached(pathname) {
  return CONFIG.notCached.some(function (prefix) { return pathname.indexOf(prefix) === 0; });
}

/* Keep a page the network answered, for this login only: an answer for another login, or for nobody,
   first forgets every page kept. */
function remember(request, response) {
  if (response.type !== "basic") return Promise.resolve();  // a redirect: its page is answered on its own
  var viewer = response.headers.get(CONFIG.viewerHeader) || "";
  return keptViewer().then(function (kept) {
    if (kept === viewer) return;
    return forgetPages().then(function () {
      if (!viewer) return;
      return caches.open(PAGE_CACHE).then(function (cache) { return cache.put(VIEWER_KEY, new Response(viewer)); });
    });
  }).then(function () {
    var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
    if (!viewer || !response.ok || !html || notCached(new URL(request.url).pathname)) return;
    return caches.open(PAGE_CACHE).then(function (cache) {
      return cache.delete(request, {ignoreVary: true})  // so that it counts as the newest
        .then(function () { return stamped(response); })
        .then(function (kept) { return cache.put(request, kept); })
        .then(function () { return trim(cache); });
    });
  });
}

function keptViewer() {
  return caches.open(PAGE_CACHE)
    .then(function (cache) { return cache.match(VIEWER_KEY); })
    .then(function (kept) { return kept ? kept.text() : ""; });
}

function trim(cache) {
  return cache.keys().then(function (requests) {
    var pages = requests.filter(function (request) { return request.url !== VIEWER_KEY; });
    return Promise.all(pages.slice(0, Math.max(0, pages.length - MOST_PAGES)).map(function (request) {
      return cache.delete(request);
    }));
  });
}

function forgetPages() {
  return caches.delete(PAGE_CACHE);
}
