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
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value !== "") { values.push(input.value); }
    });
    return values;
  }
  function update() {
    dependents.forEach(function (el) {
      // "item:1,2" or several such parts joined by ";", all needed unless data-join="any".
      var met = el.getAttribute("data-rel").split(";").map(function (rule) {
        var parts = rule.split(":");
        var wanted = parts[1].split(",");
        return chosen(parts[0]).some(function (v) { return wanted.indexOf(v) >= 0; });
      });
      var show = el.getAttribute("data-join") === "any" ? met.indexOf(true) >= 0 : met.indexOf(false) < 0;
      el.hidden = !show;
      el.querySelectorAll("input,textarea").forEach(function (input) { input.disabled = !show; });
      var hint = el.querySelector(".cond");
      if (hint) { hint.hidden = true; }
    });
  }
  form.addEventListener("change", update);
  update();
  var notice = document.getElementById("notice");
  if (notice) { notice.focus(); }
})();
