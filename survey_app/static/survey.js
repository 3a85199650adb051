// Progressive enhancement only: the form works fully without this file.
(function () {
  "use strict";
  var root = document.documentElement;
  // Larger text for elderly respondents, remembered on this device.
  var sizeButton = document.querySelector("[data-textsize]");
  if (sizeButton) {
    try { if (localStorage.getItem("bigText") === "1") { root.classList.add("big"); } } catch (e) { /* private mode */ }
    sizeButton.hidden = false;
    sizeButton.setAttribute("aria-pressed", root.classList.contains("big") ? "true" : "false");
    sizeButton.addEventListener("click", function () {
      var big = root.classList.toggle("big");
      sizeButton.setAttribute("aria-pressed", big ? "true" : "false");
      try { localStorage.setItem("bigText", big ? "1" : "0"); } catch (e) { /* private mode */ }
    });
  }
  // Skip logic: hide an item while the answer it depends on does not match.
  var form = document.querySelector("form");
  if (!form) { return; }
  var dependents = form.querySelectorAll("[data-rel]");
  function chosen(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (input.disabled) { return; }  // a skipped question's answer counts for nothing, as on the server
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value !== "") { values.push(input.value); }
    });
    return values;
  }
  function leafMet(leaf) {
    var parts = leaf.split(":");
    var wanted = parts[1].split(",");
    return chosen(parts[0]).some(function (v) { return wanted.indexOf(v) >= 0; });
  }
  function ruleMet(rule) {
    var position = 0;
    function node() {
      var op = rule.charAt(position);
      if (op === "&" || op === "|") {
        position += 2;  // the operator and its "("
        var results = [];
        for (;;) {
          results.push(node());
          var next = rule.charAt(position);
          position += 1;
          if (next !== ";") { break; }  // ")" closes the group
        }
        return op === "&" ? results.indexOf(false) < 0 : results.indexOf(true) >= 0;
      }
      var end = position;
      while (end < rule.length && rule.charAt(end) !== ";" && rule.charAt(end) !== ")") { end += 1; }
      var leaf = rule.slice(position, end);
      position = end;
      return leafMet(leaf);
    }
    return node();
  }
  function update() {
    dependents.forEach(function (el) {
      // "item:1,2" or several such parts joined by ";", all needed unless data-join="any";
      // or a nested rule: "&(a:1;|(b:2;c:3))" (& all, | any), as Condition.encoded writes it.
      var rule = el.getAttribute("data-rel");
      var show;
      if (rule.charAt(0) === "&" || rule.charAt(0) === "|") {
        show = ruleMet(rule);
      } else {
        var met = rule.split(";").map(leafMet);
        show = el.getAttribute("data-join") === "any" ? met.indexOf(true) >= 0 : met.indexOf(false) < 0;
      }
      el.hidden = !show;
      el.querySelectorAll("input,textarea").forEach(function (input) { input.disabled = !show; });
      var hint = el.querySelector(".cond");
      if (hint) { hint.hidden = true; }
    });
    // A section with nothing left to answer goes with its heading; questions and parts are
    // numbered over what is shown, so numbers never jump (as the server does for kept answers).
    var sections = [];
    form.querySelectorAll("section.sec").forEach(function (sec) {
      var shown = Array.prototype.some.call(sec.querySelectorAll(".q"), function (q) { return !q.hidden; });
      sec.hidden = !shown;
      if (shown) { sections.push(sec); }
    });
    var n = 0;
    form.querySelectorAll(".q").forEach(function (q) {
      var number = q.querySelector(".qn");
      if (number && !q.hidden && !q.closest("section").hidden) { n += 1; number.textContent = n + "."; }
    });
    sections.forEach(function (sec, i) {
      var part = sec.querySelector(".pn"), of = sec.querySelector(".pm");
      if (part) { part.textContent = String(i + 1); }
      if (of) { of.textContent = String(sections.length); }
    });
  }
  form.addEventListener("change", update);
  update();
  var notice = document.getElementById("notice");
  if (notice) { notice.focus(); }
})();
