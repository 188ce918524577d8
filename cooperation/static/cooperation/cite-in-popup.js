// A related record added from a record's form (the "+" beside an agency in a party row) opens in a popup with
// its citation filled in: the first citation of this form that has a source and a quote, as it stands now,
// for the passage that names the agreement's parties most likely names the agency too. The analyst so needs
// no second popup, from the first, to find the source (a popup's related fields have no icons: see
// quiet_related_widget). The page reads the values from its address (cite_source, cite_quote, ...:
// CITE_PARAMETERS in cooperation/admin/base.py); Django's own click handler opens the link's address, which
// this one, listening first (capture), has just completed.
(function () {
  "use strict";
  var CITATIONS = "cooperation-citation-content_type-object_id";
  var FIELDS = {source: "cite_source", quote: "cite_quote", position: "cite_position", kind: "cite_kind",
    locator: "cite_locator"};

  function value(row, field) {
    var input = document.getElementById("id_" + row + "-" + field);
    return input ? input.value.trim() : "";
  }

  function firstCitation() {
    var total = document.getElementById("id_" + CITATIONS + "-TOTAL_FORMS");
    var count = total ? Number(total.value) : 0;
    for (var n = 0; n < count; n++) {
      var row = CITATIONS + "-" + n;
      var deleted = document.getElementById("id_" + row + "-DELETE");
      if (deleted && deleted.checked) { continue; }
      if (value(row, "source") && value(row, "quote")) { return row; }
    }
    return null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.related-widget-wrapper-link.add-related");
    if (!link || !link.href || link.closest("#" + CITATIONS + "-group")) { return; }  // a source needs no citation
    var address = new URL(link.href, window.location.href);
    Object.keys(FIELDS).forEach(function (field) { address.searchParams.delete(FIELDS[field]); });
    var row = firstCitation();
    if (row) {
      Object.keys(FIELDS).forEach(function (field) {
        var given = value(row, field);
        if (given) { address.searchParams.set(FIELDS[field], given); }
      });
    }
    link.href = address.toString();
  }, true);
})();
