/* Ashyq's one site-wide script. Every page works without it; with it, forms lose nothing and say more, sooner.
 *
 * 1. Switching the language keeps what was typed. The switcher reloads the page in the other language; before it
 *    does, the fields of the page's forms are kept in this tab's sessionStorage (never passwords, files, hidden
 *    fields or the CSRF token), and the page put back in the new language fills them in again, once.
 * 2. A file too large is said before it is uploaded: a file input with data-max-bytes shows, beside itself, which
 *    file is over the limit, and its form is not sent until that file is replaced. The server checks again, always.
 * 3. Text past a field's limit is never cut. The browser's maxlength would cut what is pasted without a word:
 *    it is lifted, a counter says how many characters are left or over, and the server refuses what is too long
 *    with a message.
 * Messages come from the page (data- attributes of <body>, rendered in the page's language), never from here.
 */
(function () {
  "use strict";

  var DRAFT_KEY = "ashyq:language-draft";
  var KEPT_TYPES = { text: 1, email: 1, search: 1, tel: 1, url: 1, number: 1, date: 1, month: 1, textarea: 1,
                     "select-one": 1, "select-multiple": 1, checkbox: 1, radio: 1 };

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function keptFields(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (el.name && KEPT_TYPES[el.type] && el.name !== "csrfmiddlewaretoken" && !el.disabled) {
        out.push(el);
      }
    }
    return out;
  }

  function pageForms() {
    var forms = [];
    var all = document.querySelectorAll("main form");
    for (var i = 0; i < all.length; i++) {
      if ((all[i].getAttribute("method") || "get").toLowerCase() === "post" || all[i].querySelector("textarea")) {
        forms.push(all[i]);
      }
    }
    return forms;
  }

  function saveDraft() {
    var store = storage();
    if (!store) { return; }
    var forms = pageForms().map(function (form) {
      var values = {};
      keptFields(form).forEach(function (el) {
        var key = el.name;
        if (el.type === "checkbox" || el.type === "radio") {
          values[key + "=" + el.value] = el.checked;
        } else if (el.type === "select-multiple") {
          values[key] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
        } else {
          values[key] = el.value;
        }
      });
      return { action: form.getAttribute("action") || "", values: values };
    });
    if (forms.some(function (f) { return Object.keys(f.values).length; })) {
      store.setItem(DRAFT_KEY, JSON.stringify({ path: location.pathname + location.search, forms: forms }));
    }
  }

  function restoreDraft() {
    var store = storage();
    var raw = store && store.getItem(DRAFT_KEY);
    if (!raw) { return; }
    store.removeItem(DRAFT_KEY);  // once: a later visit to the page starts empty, as without the script
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return; }
    if (!draft || draft.path !== location.pathname + location.search) { return; }
    var forms = pageForms();
    draft.forms.forEach(function (saved, index) {
      var form = forms[index];
      if (!form || (form.getAttribute("action") || "") !== saved.action) { return; }
      keptFields(form).forEach(function (el) {
        var key = el.name;
        if (el.type === "checkbox" || el.type === "radio") {
          if ((key + "=" + el.value) in saved.values) { el.checked = saved.values[key + "=" + el.value]; }
        } else if (el.type === "select-multiple") {
          var chosen = saved.values[key] || [];
          Array.prototype.forEach.call(el.options, function (o) { o.selected = chosen.indexOf(o.value) >= 0; });
        } else if (key in saved.values) {
          el.value = saved.values[key];
          el.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    });
  }

  function keepDraftOnLanguageSwitch() {
    var switcher = document.querySelector("form.lang");
    if (switcher) { switcher.addEventListener("submit", saveDraft); }
    restoreDraft();
  }

  // --- 2. files over the limit -------------------------------------------------------------------------------
  function formatSize(bytes) {
    var body = document.body;
    if (bytes >= 1048576) {
      return (body.getAttribute("data-mb") || "{n} MB").replace("{n}", (bytes / 1048576).toFixed(1));
    }
    return (body.getAttribute("data-kb") || "{n} KB").replace("{n}", String(Math.ceil(bytes / 1024)));
  }

  function tooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    return Array.prototype.filter.call(input.files || [], function (f) { return f.size > limit; });
  }

  function messageBeside(input, id) {
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("p");
      box.id = id;
      box.className = "errors";
      box.setAttribute("role", "alert");
      input.parentNode.insertBefore(box, input.nextSibling);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    return box;
  }

  function checkFile(input) {
    var over = tooLarge(input);
    var box = messageBeside(input, input.id + "-size");
    var field = input.closest(".field");
    if (!over.length) {
      box.textContent = "";
      input.removeAttribute("aria-invalid");
      if (field && !field.getAttribute("data-server-error")) { field.classList.remove("has-error"); }
      return true;
    }
    var limit = formatSize(parseInt(input.getAttribute("data-max-bytes"), 10));
    box.textContent = over.map(function (f) {
      return document.body.getAttribute("data-too-large").replace("{name}", f.name).replace("{size}", formatSize(f.size))
        .replace("{limit}", limit);
    }).join(" ");
    input.setAttribute("aria-invalid", "true");
    if (field) { field.classList.add("has-error"); }
    return false;
  }

  function watchFiles() {
    if (!document.body.getAttribute("data-too-large")) { return; }
    var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
    Array.prototype.forEach.call(inputs, function (input) {
      var field = input.closest(".field");
      if (field && field.classList.contains("has-error")) { field.setAttribute("data-server-error", "1"); }
      input.addEventListener("change", function () { checkFile(input); });
      if (input.form) {
        input.form.addEventListener("submit", function (event) {
          if (!checkFile(input)) {
            event.preventDefault();
            input.focus();
          }
        });
      }
    });
  }

  // --- 3. limits on text, never cut ---------------------------------------------------------------------------
  function watchLengths() {
    var left = document.body.getAttribute("data-length-left");
    var over = document.body.getAttribute("data-length-over");
    if (!left || !over) { return; }
    var fields = document.querySelectorAll("main textarea[maxlength], main input[type=text][maxlength]");
    Array.prototype.forEach.call(fields, function (el) {
      var limit = parseInt(el.getAttribute("maxlength"), 10);
      if (!limit || !el.id) { return; }
      el.removeAttribute("maxlength");
      var box = messageBeside(el, el.id + "-length");
      box.className = "help";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      var update = function () {
        var n = el.value.length;
        if (n > limit) {
          box.textContent = over.replace("{n}", String(n - limit)).replace("{limit}", String(limit));
          box.className = "errors";
        } else {
          // Said only near the limit, so that the counter does not talk over every keystroke.
          box.textContent = n >= limit * 0.9 ? left.replace("{n}", String(limit - n)) : "";
          box.className = "help";
        }
      };
      el.addEventListener("input", update);
      update();
    });
  }

  function start() {
    watchLengths();
    watchFiles();
    keepDraftOnLanguageSwitch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
