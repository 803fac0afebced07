/* "Which body should receive this?" on the appeal form, without a page reload.
 *
 * The form works without this script: its button asks the server and the page comes back with the
 * suggestions. With the script, the suggestions follow the text after each pause in typing (a POST with
 * the form's CSRF token, answered by the same HTML fragment), and "Choose this body" sets the body field
 * in place. The region around the suggestions is aria-live, so screen readers hear them; choosing moves
 * the focus to the body field and says which body is chosen. Nothing here sends the appeal.
 */
(function () {
  "use strict";

  var PAUSE_MS = 1200;
  var MIN_LENGTH = 20;

  var form = document.querySelector("form[data-body-suggestions]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-body-suggestions");
  var region = document.getElementById("body-suggestions");
  var status = document.getElementById("body-chosen-status");
  var field = function (name) { return form.elements.namedItem(name); };
  var timer = null;
  var lastAsked = null;
  var pending = null;

  function entered() {
    return {
      subject: field("subject") ? field("subject").value : "",
      text: field("text") ? field("text").value : "",
      region: field("region") ? field("region").value : "",
      body: field("body") ? field("body").value : ""
    };
  }

  // force: the applicant pressed the button, so ask even for a short or unchanged text (the answer says why
  // nothing can be suggested yet); typing pauses ask only when there is something new to suggest from.
  function ask(force) {
    var data = entered();
    var key = [data.subject, data.text, data.region].join("\u0000");
    if (!force && ((data.subject + " " + data.text).trim().length < MIN_LENGTH || key === lastAsked)) {
      return;
    }
    lastAsked = key;
    if (pending && window.AbortController) {
      pending.abort();
    }
    pending = window.AbortController ? new AbortController() : null;
    var payload = new FormData();
    payload.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken").value);
    Object.keys(data).forEach(function (name) { payload.append(name, data[name]); });
    fetch(url, {
      method: "POST",
      body: payload,
      credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"},
      signal: pending ? pending.signal : undefined
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.text();
    }).then(function (html) {
      region.innerHTML = html;
    }).catch(function () {
      // Too many requests or no connection: keep what is shown; the button still asks the server.
      lastAsked = null;
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { ask(false); }, PAUSE_MS);
  }

  form.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name === "subject" || name === "text") {
      later();
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "region") {
      later();
    }
  });

  var suggestButton = form.querySelector("button[name=action][value=suggest]");
  if (suggestButton) {
    // Answered in place (no reload), so attached files stay attached.
    suggestButton.addEventListener("click", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      ask(true);
    });
  }

  region.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[name=choose]") : null;
    if (!button || !field("body")) {
      return;
    }
    event.preventDefault();
    var select = field("body");
    select.value = button.value;
    Array.prototype.forEach.call(region.querySelectorAll(".suggestion"), function (item) {
      item.classList.toggle("chosen", item.id === "suggestion-" + button.value);
    });
    if (status) {
      status.textContent = button.getAttribute("data-chosen-message") || "";
    }
    select.focus();
  });
}());
