// The person's safety plan, kept on their phone for when there is no signal (issue 14.2).
// Written by hand, not taken from a library (Workbox and the like): it is a few lines, and a
// library would bring an npm build chain to a project that has none.
// Network first: the latest plan whenever there is a signal; the kept copy only when there is not.
// It only ever keeps the person's own plan pages (/my-plan/<link>) and the files they use; its scope
// is /my-plan/, so no staff page ever passes through it, and it keeps nothing else.
'use strict';
var CACHE = 'aftercare-my-plan-v1';

function keepable(url) {
  return url.origin === self.location.origin
    && (/^\/my-plan\/[A-Za-z0-9_-]+$/.test(url.pathname) || url.pathname === '/assets/app.css' || url.pathname === '/assets/my-plan.js');
}

self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') {
    return;
  }

  var url = new URL(request.url);
  if (!keepable(url)) {
    return;
  }

  // One copy per plan page: "?changed=" notes are not kept apart.
  var key = url.origin + url.pathname;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(key, copy); }));
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (kept) { return kept || Response.error(); });
  }));
});
