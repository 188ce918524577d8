// Beside each date typed as the source writes it ("late 2012", "c. March 2013"), how it will be read: its EDTF
// value and the earliest and latest days it can mean, or why it cannot be read, as the analyst types. The
// reading comes from the server (the admin's read-date view), so it is the one the save will make.
// A static file, not an inline script, so that a Content-Security-Policy without 'unsafe-inline' allows it.
(function () {
  "use strict";

  function show(input, output) {
    var text = input.value.trim();
    if (!text) {
      output.textContent = "";
      output.className = "date-reading";
      return;
    }
    var url = input.dataset.readingUrl + "?text=" + encodeURIComponent(text);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (reading) {
        if (input.value.trim() !== text) {
          return; // typed on since: a newer reading is on its way
        }
        if (reading.error) {
          output.textContent = reading.error;
          output.className = "date-reading errornote-inline";
        } else if (reading.relative) {
          output.textContent = reading.relative;
          output.className = "date-reading";
        } else {
          var from = reading.earliest || "open", to = reading.latest || "open";
          output.textContent = "Read as " + reading.edtf + ": " + (from === to ? from : from + " to " + to);
          output.className = "date-reading";
        }
      })
      .catch(function () { output.textContent = ""; });
  }

  function attach(input) {
    if (input.dataset.readingAttached) {
      return;
    }
    input.dataset.readingAttached = "1";
    var output = document.createElement("span");
    output.className = "date-reading";
    output.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", output);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { show(input, output); }, 250);
    });
  }

  function attachAll(root) {
    root.querySelectorAll("input.partial-date[data-reading-url]").forEach(function (input) {
      if (!input.closest(".empty-form")) {
        attach(input);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  // Rows added to an inline (a milestone) get theirs too.
  document.addEventListener("formset:added", function (event) { attachAll(event.target); });
})();
