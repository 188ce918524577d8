// The progress bar of a background import (admin/cooperation/import_job.html): polls the job's status every
// second and moves the bar; once the job has finished, reloads the page, which then shows its outcome.
// A static file, not an inline script, so that a Content-Security-Policy without 'unsafe-inline' allows it.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) {
    return;
  }
  var statusText = document.getElementById("job-status");
  var rowsText = document.getElementById("job-rows");
  var bar = document.getElementById("job-bar");
  var message = document.getElementById("job-message");
  var finished = ["succeeded", "failed"];

  function show(job) {
    statusText.textContent = job.status.charAt(0).toUpperCase() + job.status.slice(1);
    rowsText.textContent = job.rows_total === null ? String(job.rows_done) : job.rows_done + " of " + job.rows_total;
    if (job.rows_total) {
      bar.max = job.rows_total;
      bar.value = job.rows_done;
    }
    message.textContent = job.message;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (finished.indexOf(job.status) >= 0) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // the server restarting, say: try again, less often
      });
  }

  window.setTimeout(poll, 1000);
})();
