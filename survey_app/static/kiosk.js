// Kiosk mode (a tablet at the counter): start again with a fresh questionnaire after
// data-idle seconds without a touch, and never show a page the previous person left.
// Without JavaScript the page's <noscript> meta refresh does the same, less finely.
(function () {
  "use strict";
  var script = document.currentScript;
  var idleMs = parseInt(script.getAttribute("data-idle"), 10) * 1000;
  var fresh = script.getAttribute("data-fresh");
  var timer = 0;
  function startAgain() {
    // The larger-text choice belongs to the person who made it, not to the next one.
    try { localStorage.removeItem("bigText"); } catch (e) { /* storage disabled */ }
    location.replace(fresh);
  }
  function stillHere() {
    clearTimeout(timer);
    timer = setTimeout(startAgain, idleMs);
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
  var form = document.querySelector("form[method=post]");
  if (form) {
    window.addEventListener("pagehide", function () { form.reset(); });
  }
})();
