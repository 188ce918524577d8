/* The cooperation network, drawn with Cytoscape.js from the table of pairs beside it (so the picture cannot
   show other data than the table): a node per party linked in the table, an edge per row. Clicking a node
   opens its page. */
(function () {
  "use strict";
  var table = document.querySelector("table.network-edges");
  var container = document.getElementById("network");
  if (!table || !container || typeof cytoscape !== "function") return;

  var COLOURS = { agreements: "#1a4f9c", "training-courses": "#2e7d32", operations: "#b3261e" };
  var elements = [];
  var seen = {};
  table.querySelectorAll("a[data-node]").forEach(function (link) {
    var id = link.dataset.node;
    if (seen[id]) return;
    seen[id] = true;
    elements.push({
      group: "nodes",
      data: { id: id, label: link.textContent, url: link.getAttribute("href"), type: id.split("-")[0] },
    });
  });
  table.querySelectorAll("tbody tr").forEach(function (row, index) {
    var records = Number(row.dataset.records);
    elements.push({
      group: "edges",
      data: {
        id: "e" + index,
        source: row.dataset.source,
        target: row.dataset.target,
        colour: COLOURS[row.dataset.kind] || "#555",
        records: records,
        width: 1 + 2 * Math.log2(records),
      },
    });
  });

  var cy = cytoscape({
    container: container,
    elements: elements,
    userZoomingEnabled: true,
    minZoom: 0.2,
    maxZoom: 1.6, // a network of three nodes is not blown up to the size of the box
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
    autoungrabify: true,
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": 11,
          "text-wrap": "ellipsis",
          "text-max-width": 140,
          "text-valign": "bottom",
          "text-margin-y": 3,
          color: "#1d1d1f",
          "text-background-color": "#fff",
          "text-background-opacity": 0.8,
          width: "mapData(degree, 1, 20, 14, 40)",
          height: "mapData(degree, 1, 20, 14, 40)",
        },
      },
      { selector: 'node[type = "country"]', style: { shape: "ellipse", "background-color": "#24324a" } },
      { selector: 'node[type = "agency"]', style: { shape: "round-rectangle", "background-color": "#c77700" } },
      {
        selector: "edge",
        style: {
          width: "data(width)",
          "line-color": "data(colour)",
          opacity: 0.7,
          "curve-style": "bezier",
        },
      },
    ],
    layout: { name: "preset" },
  });
  cy.nodes().forEach(function (node) {
    node.data("degree", node.degree(false));
  });
  // Concentric rings by how connected a node is, the most connected in the middle, in about four rings: the
  // same drawing for the same data, at once (no animation).
  var layout = cy.layout({
    name: "concentric",
    concentric: function (node) { return node.degree(false); },
    levelWidth: function (nodes) { return Math.max(1, nodes.maxDegree(false) / 4); },
    minNodeSpacing: 18,
    animate: false,
    padding: 20,
  });
  layout.on("layoutstop", function () { container.dataset.ready = "true"; });
  layout.run();
  cy.on("tap", "node", function (event) { window.location.assign(event.target.data("url")); });
  cy.on("mouseover", "node", function () { container.classList.add("pointing"); });
  cy.on("mouseout", "node", function () { container.classList.remove("pointing"); });
  // For the browser tests and a reader's console: the drawing's nodes and where they are.
  window.cooperationNetwork = cy;
})();
