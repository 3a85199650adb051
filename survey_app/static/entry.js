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
  // One condition: "item:1,2" (the item's typed codes include one of them).
  function leafMet(leaf) {
    var parts = leaf.split(":");
    var other = form.elements[parts[0]];
    if (!other || other.disabled) { return false; }
    var wanted = parts[1].split(",");
    return codes(other).some(function (c) { return wanted.indexOf(c) >= 0; });
  }
  // The whole rule, as Condition.tree_encoded writes it: "a:1", "&(a:1;|(b:2;c:3))" (& all, | any).
  function applies(input) {
    var rule = input.getAttribute("data-rel");
    if (!rule) { return true; }
    var position = 0;
    function node() {
      var op = rule.charAt(position);
      if (op === "&" || op === "|") {
        position += 2;
        var results = [];
        for (;;) {
          results.push(node());
          var next = rule.charAt(position);
          position += 1;
          if (next !== ";") { break; }
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
