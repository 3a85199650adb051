// The interviewer's offline page: questionnaires and completed interviews kept in IndexedDB,
// sent when the server answers, each under a random nonce made here so that a send repeated
// after a lost acknowledgement is stored once (services/interviews.py). An acknowledged
// interview is deleted at once; only its receipt code stays. No third-party code.
(function () {
  "use strict";
  var app = document.getElementById("interview-app");
  if (!app) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var DB_NAME = "survey-interviews";
  var SYNC_EVERY_MS = 1000 * (Number(app.getAttribute("data-retry")) || 20);
  var VN_TIME = { timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
                  hour: "2-digit", minute: "2-digit" };
  var data = null;
  var current = null;
  var sending = false;
  var texts = {};

  function t(key, values) {
    var text = texts[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(String(values[k])); });
    return text;
  }

  // ---- IndexedDB: "meta" (the downloaded questionnaires), "pending" (interviews), "receipts"
  var dbPromise = new Promise(function (resolve, reject) {
    var open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = function () {
      var db = open.result;
      db.createObjectStore("meta");
      db.createObjectStore("pending", { keyPath: "nonce" });
      db.createObjectStore("receipts", { keyPath: "nonce" });
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });

  function tx(stores, mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(stores, mode);
        var result;
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
        result = work(transaction);
      });
    });
  }

  function all(store) {
    return tx([store], "readonly", function (transaction) {
      var out = [];
      transaction.objectStore(store).openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) { out.push(cursor.value); cursor.continue(); }
      };
      return out;
    });
  }

  function status(text) { $("status").textContent = text; }

  // ---- what waits, and the receipts
  function refreshCounts() {
    return Promise.all([all("pending"), all("receipts")]).then(function (lists) {
      var pending = lists[0];
      var counter = $("pending-count");
      counter.setAttribute("data-count", String(pending.length));
      counter.textContent = pending.length ? t("waiting", { n: pending.length }) : t("sent");
      var list = $("receipts");
      list.textContent = "";
      lists[1].sort(function (a, b) { return b.at - a.at; }).forEach(function (r) {
        var li = document.createElement("li");
        li.textContent = t("receipt") + " " + r.receipt + " · " + new Date(r.at).toLocaleString("vi-VN", VN_TIME);
        list.appendChild(li);
      });
      pending.forEach(function (p) {
        if (p.problem) {
          var li = document.createElement("li");
          li.className = "err";
          li.textContent = p.problem;
          list.appendChild(li);
        }
      });
    });
  }

  // ---- the questionnaires: from the server when it answers, else the copy on the tablet
  // The round's questionnaires and a fresh CSRF token; "sign-in" when the session has ended.
  function fetchData() {
    return fetch(app.getAttribute("data-data"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || response.redirected || !json) { throw new Error("sign-in"); }
        return response.json();
      });
  }
  function load() {
    return fetchData()
      .then(function (fresh) {
        return tx(["meta"], "readwrite", function (transaction) {
          var kept = Object.assign({}, fresh);
          delete kept.csrf;  // a token is fetched again before each send
          transaction.objectStore("meta").put(kept, "data");
        }).then(function () { return fresh; });
      })
      .catch(function (error) {
        return tx(["meta"], "readonly", function (transaction) {
          var got = {};
          transaction.objectStore("meta").get("data").onsuccess = function (event) { got.value = event.target.result; };
          return got;
        }).then(function (got) {
          if (got.value) { got.value.offline = true; got.value.signIn = error.message === "sign-in"; }
          return got.value || null;
        });
      });
  }

  function showStart() {
    $("interview").hidden = true;
    if (!data || !data.questionnaires || !data.questionnaires.length) {
      $("start").hidden = true;
      status(data ? t("needs_data") : "Cần kết nối mạng một lần để tải phiếu khảo sát.");
      return;
    }
    var group = $("pick-group");
    var unit = $("pick-unit");
    if (!group.options.length) {
      data.questionnaires.forEach(function (q) { group.add(new Option(q.title + " (" + q.group + ")", q.group)); });
      data.units.forEach(function (u) { unit.add(new Option(u.name + " (" + u.code + ")", u.code)); });
    }
    $("start").hidden = false;
    status(data.round.name + (data.offline ? " — " + t("offline") : ""));
  }

  // ---- one interview
  function field(item, number) {
    var box = document.createElement("fieldset");
    box.className = "q";
    box.setAttribute("data-item", item.code);
    var legend = document.createElement("legend");
    legend.textContent = number + ". " + item.text;
    box.appendChild(legend);
    if (item.help) {
      var help = document.createElement("p");
      help.className = "hint";
      help.textContent = item.help;
      box.appendChild(help);
    }
    if (item.options.length) {
      item.options.forEach(function (option) {
        var label = document.createElement("label");
        label.className = "opt";
        var input = document.createElement("input");
        input.type = item.type === "multiple" ? "checkbox" : "radio";
        input.name = item.code;
        input.value = String(option.code);
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + option.label));
        box.appendChild(label);
      });
    } else {
      var entry = document.createElement(item.type === "text" ? "textarea" : "input");
      entry.name = item.code;
      entry.setAttribute("aria-label", item.text);
      if (item.type === "number") { entry.type = "text"; entry.inputMode = "numeric"; entry.size = 6; }
      if (item.type === "decimal") { entry.type = "text"; entry.inputMode = "decimal"; entry.size = 8; }
      if (item.max_length) { entry.maxLength = item.max_length; }
      box.appendChild(entry);
    }
    var error = document.createElement("p");
    error.className = "err";
    error.hidden = true;
    box.appendChild(error);
    return box;
  }

  function values(form, item) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== item.code || el.disabled) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.value.trim() !== "") { out.push(el.value.trim()); }
    });
    return out;
  }

  function items(q) {
    var list = [];
    q.sections.forEach(function (s) { s.items.forEach(function (i) { list.push(i); }); });
    return list;
  }

  // A skip rule as services/interviews.py sends it: {item, values} or {join: "all"|"any", parts}.
  function ruleMet(rule, given) {
    if (rule.parts) {
      var results = rule.parts.map(function (part) { return ruleMet(part, given); });
      return rule.join === "all" ? results.indexOf(false) < 0 : results.indexOf(true) >= 0;
    }
    return (given[rule.item] || []).some(function (v) { return rule.values.indexOf(Number(v)) >= 0; });
  }

  function applyRelevance() {
    var form = $("interview");
    var given = {};
    items(current.q).forEach(function (item) {
      var on = !item.relevant || ruleMet(item.relevant, given);
      var box = form.querySelector('[data-item="' + item.code + '"]');
      box.hidden = !on;
      Array.prototype.forEach.call(box.querySelectorAll("input,textarea"), function (el) { el.disabled = !on; });
      given[item.code] = on ? values(form, item) : [];
    });
  }

  function begin() {
    var group = $("pick-group").value;
    var q = data.questionnaires.filter(function (x) { return x.group === group; })[0];
    current = { q: q, unit: $("pick-unit").value, started: Date.now() };
    $("q-title").textContent = q.title;
    var holder = $("q-items");
    holder.textContent = "";
    items(q).forEach(function (item, index) { holder.appendChild(field(item, index + 1)); });
    $("start").hidden = true;
    $("interview").hidden = false;
    applyRelevance();
    window.scrollTo(0, 0);
  }

  // A decimal answer as the server reads it (questionnaire/answers.py): "2,5" or "2.5",
  // at most item.places digits after the separator (trailing zeros do not count).
  function decimalProblem(item, text) {
    var places = item.places || 2;
    var match = /^(-?[0-9]{1,12})(?:[.,]([0-9]+))?$/.exec(text);
    var fraction = match ? (match[2] || "").replace(/0+$/, "") : "";
    var n = match ? Number(match[1] + "." + (fraction || "0")) : NaN;
    if (match && fraction.length <= places && (item.min === null || n >= item.min) && (item.max === null || n <= item.max)) {
      return "";
    }
    if (item.min !== null && item.max !== null) {
      return t("decimal_range", { min: String(item.min).replace(".", ","), max: String(item.max).replace(".", ","), places: places });
    }
    return t("decimal", { places: places });
  }

  function check(form) {
    var answers = {};
    var first = null;
    items(current.q).forEach(function (item) {
      var box = form.querySelector('[data-item="' + item.code + '"]');
      var error = box.querySelector("p.err");
      error.hidden = true;
      if (box.hidden) { return; }
      var given = values(form, item);
      var message = "";
      if (!given.length && item.required) { message = t("required"); }
      if (given.length && item.type === "number") {
        var n = Number(given[0]);
        if (!/^-?[0-9]{1,12}$/.test(given[0]) || (item.min !== null && n < item.min) || (item.max !== null && n > item.max)) {
          message = t("range", { min: item.min, max: item.max });
        }
      }
      if (given.length && item.type === "decimal") { message = decimalProblem(item, given[0]); }
      if (given.length && item.max_length && given[0].length > item.max_length) { message = t("too_long", { n: item.max_length }); }
      if (message) {
        error.textContent = message;
        error.hidden = false;
        first = first || box;
      } else if (given.length) {
        answers[item.code] = given;
      }
    });
    if (first) { first.scrollIntoView(); status(t("check")); return null; }
    return answers;
  }

  function newNonce() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function finish(event) {
    event.preventDefault();
    var answers = check($("interview"));
    if (!answers) { return; }
    var interview = {
      nonce: newNonce(), round: data.round.id, group: current.q.group, version: current.q.version,
      unit: current.unit, answers: answers, duration: Math.round((Date.now() - current.started) / 1000),
    };
    tx(["pending"], "readwrite", function (transaction) { transaction.objectStore("pending").put(interview); })
      .then(function () {
        current = null;
        showStart();
        status(t("saved"));
        return refreshCounts();
      })
      .then(sync);
  }

  // ---- sending
  function sendOne(interview, token) {
    return fetch(app.getAttribute("data-submit"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(interview),
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected || !json) { throw new Error("sign-in"); }
      return response.json().then(function (body) {
        if (response.ok && body.receipt) {
          // The answers go, the receipt stays: one transaction, so never both or neither.
          return tx(["pending", "receipts"], "readwrite", function (transaction) {
            transaction.objectStore("pending").delete(interview.nonce);
            transaction.objectStore("receipts").put({ nonce: interview.nonce, receipt: body.receipt, at: Date.now() });
          });
        }
        var reason = t(body.status === "invalid" ? "invalid" : body.reason || "malformed");
        interview.problem = t("refused", { reason: reason });
        return tx(["pending"], "readwrite", function (transaction) { transaction.objectStore("pending").put(interview); });
      });
    });
  }

  function sync() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return all("pending").then(function (pending) {
      pending = pending.filter(function (p) { return !p.problem; });
      if (!pending.length) { return null; }
      status(t("sending"));
      return fetchData()
        .then(function (fresh) {
          return pending.reduce(function (chain, interview) {
            return chain.then(function () { return sendOne(interview, fresh.csrf); });
          }, Promise.resolve());
        })
        .then(function () { status(data && data.round ? data.round.name : ""); });
    }).catch(function (error) {
      status(error.message === "sign-in" ? t("sign_in") : t("offline"));
    }).then(function () {
      sending = false;
      return refreshCounts();
    });
  }

  // ---- start
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(app.getAttribute("data-worker"), { scope: app.getAttribute("data-scope") })
      .catch(function () { /* the page still works while it is open */ });
  }
  $("begin").addEventListener("click", begin);
  $("abandon").addEventListener("click", function () { current = null; showStart(); });
  $("interview").addEventListener("change", applyRelevance);
  $("interview").addEventListener("input", applyRelevance);
  $("interview").addEventListener("submit", finish);
  $("send-now").addEventListener("click", sync);
  window.addEventListener("online", sync);
  window.setInterval(sync, SYNC_EVERY_MS);
  load().then(function (loaded) {
    data = loaded;
    texts = (loaded && loaded.texts) || {};
    showStart();
    if (loaded && loaded.signIn) { status(t("sign_in")); }
    return refreshCounts();
  }).then(sync);
}());
