// Keyboard data entry of paper forms: Enter moves to the next question that applies
// (Enter on the last one saves), questions the answers skip are greyed out and left
// out, as the web form's skip logic does. Without this script the form still works:
// Tab moves, Enter saves, and the server drops the answers of skipped questions.
(function () {
  "use strict";
  var form = document.getElementById("entry");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-item]"));
  function codes(input) {
    return input.value.trim().split(/[\s,;+]+/).filter(function (c) { return c !== ""; });
  }
  function applies(input) {
    var on = input.getAttribute("data-if");
    if (!on) { return true; }
    var other = form.elements[on];
    if (!other || other.disabled) { return false; }
    var wanted = input.getAttribute("data-values").split(" ");
    return codes(other).some(function (c) { return wanted.indexOf(c) >= 0; });
  }
  function refresh() {
    inputs.forEach(function (input) {
      var on = applies(input);
      input.disabled = !on;
      input.closest("tr").classList.toggle("skipped", !on);
    });
  }
  form.addEventListener("input", refresh);
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || inputs.indexOf(input) < 0) { return; }
    event.preventDefault();
    refresh();
    for (var i = inputs.indexOf(input) + 1; i < inputs.length; i += 1) {
      if (!inputs[i].disabled) { inputs[i].focus(); inputs[i].select(); return; }
    }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
  refresh();
}());
