// The upload progress page without reloading: asks the page's JSON every three seconds and updates the status
// text in place (an aria-live region); once the file is checked, loads the page, which leads to the result.
// Without this script the page has an "Update now" link.
(function () {
  "use strict";
  var region = document.getElementById("job-state");
  if (!region) { return; }
  var url = region.getAttribute("data-status-url");
  var last = region.getAttribute("data-state") + ":" + region.getAttribute("data-rows");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        if (job.finished) { window.location.reload(); return; }
        var now = job.state + ":" + job.rows_read;
        if (now !== last) {
          last = now;
          var text = region.querySelector("[data-text]");
          if (text) { text.textContent = job.text; }
        }
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
}());
