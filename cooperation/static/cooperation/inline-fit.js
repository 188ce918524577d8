// Tabular inlines that fit the page: a group whose table is wider than the room it has (a citation's eleven
// columns beside the admin's sidebar at 1400 px, any inline on a phone or in an 800 px popup) is marked
// "rows-stacked", and its rows wrap into cells labelled with their column (admin.css; the labels come with the
// cells, templates/admin/cooperation/edit_inline/tabular.html) instead of scrolling sideways. Checked again
// whenever the group changes width (a window resized, the sidebar folded) or gets a new row.
(function () {
  "use strict";
  function fit(group) {
    var table = group.querySelector(".tabular table");
    if (!table) { return; }
    group.classList.remove("rows-stacked");
    var room = group.clientWidth;
    if (room === 0) { return; }  // not shown (a folded section): fitted when it opens and so changes width
    if (table.getBoundingClientRect().width > room + 0.5) {
      group.classList.add("rows-stacked");
    }
  }
  function fitAll() {
    document.querySelectorAll(".inline-group[data-inline-type=tabular]").forEach(fit);
  }
  document.addEventListener("DOMContentLoaded", function () {
    fitAll();
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { fit(entry.target); });
      });
      document.querySelectorAll(".inline-group[data-inline-type=tabular]").forEach(function (group) {
        observer.observe(group);
      });
    } else {
      window.addEventListener("resize", fitAll);
    }
  });
  // The autocomplete widgets take their width once their script has run.
  window.addEventListener("load", fitAll);
  document.addEventListener("formset:added", function (event) {
    var group = event.target.closest(".inline-group");
    if (group) { fit(group); }
  });
})();
