// A source's page: a passage selected in its text fills the citation form under it with the passage and where it
// begins in the stored text (each paragraph knows its start; the offset within it is the length of the text
// before the selection). The server checks both against the text.
(function () {
  "use strict";
  function passageOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("#source-text .passage") : null;
  }
  function fill() {
    var selection = window.getSelection();
    var quote = document.getElementById("cite-quote");
    var position = document.getElementById("cite-position");
    if (!selection || selection.isCollapsed || !quote || !position) { return; }
    var range = selection.getRangeAt(0);
    var passage = passageOf(range.startContainer);
    if (!passage) { return; }
    var before = document.createRange();
    before.setStart(passage, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var text = selection.toString();
    var leading = text.length - text.replace(/^\s+/, "").length;  // a selection may start on a space
    quote.value = text.trim();
    position.value = String(Number(passage.dataset.start) + before.toString().length + leading);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var text = document.getElementById("source-text");
    var quote = document.getElementById("cite-quote");
    if (!text || !quote) { return; }
    text.addEventListener("mouseup", fill);
    text.addEventListener("keyup", fill);
    // A passage typed or pasted by hand is found in the text by the server.
    quote.addEventListener("input", function () { document.getElementById("cite-position").value = ""; });
  });
})();
