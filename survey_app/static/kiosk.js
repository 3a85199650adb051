// Kiosk mode (a tablet at the counter): start again with a fresh questionnaire after
// data-idle seconds without a touch, and never show a page the previous person left.
// Before a form is reset, a warning gives at least 20 seconds to carry on with one touch
// (WCAG 2.2.1, timing adjustable). Without JavaScript the page's <noscript> meta refresh
// does the resetting, less finely.
(function () {
  "use strict";
  var script = document.currentScript;
  var idleMs = parseInt(script.getAttribute("data-idle"), 10) * 1000;
  var fresh = script.getAttribute("data-fresh");
  var form = document.querySelector("form[method=post]");
  var warning = document.querySelector("[data-kiosk-warning]");
  var warnMs = warning ? Math.max(idleMs - 20000, idleMs / 2) : idleMs;
  var timers = [];
  function startAgain() {
    // The larger-text choice belongs to the person who made it, not to the next one.
    try { localStorage.removeItem("bigText"); } catch (e) { /* storage disabled */ }
    location.replace(fresh);
  }
  function stillHere() {
    timers.forEach(clearTimeout);
    if (warning) { warning.hidden = true; }
    timers = [setTimeout(startAgain, idleMs)];
    if (warning) { timers.push(setTimeout(function () { warning.hidden = false; }, warnMs)); }
  }
  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (type) {
    window.addEventListener(type, stillHere, { capture: true, passive: true });
  });
  stillHere();
  // A page restored from the back-forward cache is the previous person's page.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { startAgain(); }
  });
  // Leaving the page (submitting it, going back): empty the form in memory too.
  if (form) {
    window.addEventListener("pagehide", function () { form.reset(); });
  }
})();
