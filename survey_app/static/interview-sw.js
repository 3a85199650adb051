// Service worker of the interviewer's page: keeps the page, its script and styles so the
// page opens with no network. Network first (a new version is picked up when online),
// the kept copy when the network fails. Data and answers are never cached here: the page
// keeps them in IndexedDB, and requests other than these few GETs pass through untouched.
"use strict";
var CACHE = "interview-shell-v1";
var scope = self.registration.scope;
var SHELL = [scope, "/static/interview.js", "/static/survey.css", "/static/admin.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  var key = url.origin === self.location.origin && url.search === "" ? url.href : null;
  if (key === null || SHELL.map(function (s) { return new URL(s, scope).href; }).indexOf(key) < 0) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (kept) { return kept || Response.error(); });
  }));
});
