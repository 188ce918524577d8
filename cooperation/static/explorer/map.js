/* The world map (Natural Earth through world-atlas, drawn with d3-geo and topojson-client), with the routes
   and places of the tables beside it: the picture is read from the tables, so it cannot show other data. A
   stop without coordinates is drawn inside its country's largest landmass, or its region's countries'. */
(function () {
  "use strict";
  var svg = document.getElementById("world-map");
  if (!svg || typeof d3 === "undefined" || typeof topojson === "undefined") return;
  var NS = "http://www.w3.org/2000/svg";
  var WIDTH = 960;
  var HEIGHT = 500;

  function element(name, attributes, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    parent.appendChild(node);
    return node;
  }

  function titled(node, text) {
    element("title", {}, node).textContent = text;
    return node;
  }

  // Where a stop without coordinates is drawn: the middle, as the map shows it, of its shape's largest polygon
  // (Russia's mainland, not the average of it and Kaliningrad; France's, not French Guiana's).
  function anchor(geometry, projection, path) {
    if (!geometry) return null;
    var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    var best = null;
    var area = -1;
    polygons.forEach(function (rings) {
      var a = d3.geoArea({ type: "Polygon", coordinates: rings });
      if (a > area) { area = a; best = rings; }
    });
    return best ? projection.invert(path.centroid({ type: "Polygon", coordinates: best })) : null;
  }

  function draw(world) {
    var projection = d3.geoEqualEarth().fitExtent([[4, 4], [WIDTH - 4, HEIGHT - 4]], { type: "Sphere" });
    var path = d3.geoPath(projection);
    var geometries = {};
    world.objects.countries.geometries.forEach(function (g) { if (g.id) geometries[g.id] = g; });
    var land = element("g", { class: "countries" }, svg);
    element("path", { d: path({ type: "Sphere" }), class: "sphere", fill: "none", stroke: "#b8c7d6" }, land);
    topojson.feature(world, world.objects.countries).features.forEach(function (country) {
      titled(element("path", { d: path(country), class: "country" }, land), country.properties.name);
    });

    function position(stop) {
      if (stop.dataset.lat) return [Number(stop.dataset.lon), Number(stop.dataset.lat)];
      var shapes = (stop.dataset.countries || "").split(" ").map(function (code) { return geometries[code]; })
        .filter(Boolean);
      if (!shapes.length) return null;
      var shape = shapes.length === 1 ? topojson.feature(world, shapes[0]).geometry : topojson.merge(world, shapes);
      return anchor(shape, projection, path);
    }

    var defs = element("defs", {}, svg);
    var routes = element("g", { class: "routes" }, svg);
    document.querySelectorAll("table.map-routes tbody.route").forEach(function (body, index) {
      var colour = (body.className.match(/\bc\d\b/) || ["c0"])[0];
      var marker = element("marker", {
        id: "arrow-" + index, class: colour, viewBox: "0 0 10 10", refX: "9", refY: "5",
        markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse",
      }, defs);
      element("path", { d: "M0,0L10,5L0,10z" }, marker);
      var points = [];
      body.querySelectorAll("tr.stop").forEach(function (stop) {
        var where = position(stop);
        if (where) points.push(where);
      });
      var group = titled(element("g", { class: "route-group " + colour }, routes), body.dataset.name);
      if (points.length > 1) {
        element("path", {
          d: path({ type: "LineString", coordinates: points }), class: "route", "marker-end": "url(#arrow-" + index + ")",
        }, group);
      }
      points.forEach(function (point) {
        var xy = projection(point);
        if (xy) element("circle", { cx: xy[0], cy: xy[1], r: 3.5, class: "stop" }, group);
      });
    });

    var places = element("g", { class: "places" }, svg);
    document.querySelectorAll("table.map-places tbody tr").forEach(function (row) {
      var xy = projection([Number(row.dataset.lon), Number(row.dataset.lat)]);
      if (!xy) return;
      var records = Number(row.dataset.records);
      titled(
        element("circle", { cx: xy[0], cy: xy[1], r: 2 + Math.sqrt(records), class: "place" }, places),
        row.dataset.name + ": " + records + " record" + (records === 1 ? "" : "s")
      );
    });
    svg.dataset.ready = "true";
  }

  fetch(svg.dataset.atlas)
    .then(function (response) {
      if (!response.ok) throw new Error("The world map did not load: " + response.status);
      return response.json();
    })
    .then(draw);
})();
