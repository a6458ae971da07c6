/* 一张图: the area's children drawn from their boundaries (GeoJSON from the geo API) on a plain background, or on
   the installation's own tile server if it set one, coloured by the chosen layer (an index colour code, open or
   overdue work orders, tasks, points per worker), with the open reports as dots. Clicking an area opens the map
   of that area (street → community → grid → micro-grid). Everything comes from this site; nothing from the
   internet. */
(function () {
  "use strict";
  var configNode = document.getElementById("map-config");
  if (!configNode || !window.L) return;
  var config = JSON.parse(configNode.textContent);
  var labels = JSON.parse(document.getElementById("map-labels").textContent);
  var box = document.getElementById("map");
  var select = document.getElementById("map-layer");
  var markersBox = document.getElementById("map-markers");
  var legend = document.getElementById("map-legend");
  var status = document.getElementById("map-status");
  var list = document.getElementById("map-areas");
  var RAMP = ["#fde0dc", "#f9a99f", "#f0705f", "#d13b2c", "#8e1b12"];
  var COLOURS = { red: "#c62828", green: "#2e7d32", tea: "#8d6e3f", grey: "#616161" };
  var NONE = "#dfe3e8";

  var map = L.map(box, { zoomSnap: 0.25, attributionControl: Boolean(config.tiles), zoomControl: false });
  L.control.zoom({ zoomInTitle: labels.zoom_in, zoomOutTitle: labels.zoom_out }).addTo(map);
  if (config.tiles) {
    L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.tiles_attribution || "" }).addTo(map);
  }
  var areaLayer = null, reportLayer = L.layerGroup().addTo(map), claimLayer = L.layerGroup().addTo(map);
  var areas = {}, layers = null;
  var claimsBox = document.getElementById("map-claims");
  var editor = null, choosing = false;  // redrawing: {code, name, corners: [L.LatLng], layer}

  function getJSON(address) {
    return fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); });
  }

  function valueOf(area, layer) {
    if (!area) return null;
    if (layer.indexOf("colour:") === 0) return area.colours[layer.slice(7)] || null;
    if (layer === "points_per_worker") return area.earners ? Math.round(area.points / area.earners) : 0;
    return area[layer];
  }

  function breaks(values) {
    var sorted = values.filter(function (v) { return typeof v === "number"; }).sort(function (a, b) { return a - b; });
    var max = sorted.length ? sorted[sorted.length - 1] : 0;
    if (!max) return [];
    var steps = [];
    for (var i = 1; i < RAMP.length; i++) steps.push(Math.ceil(max * i / RAMP.length));
    return steps;
  }

  function fill(value, steps) {
    if (value === null || value === undefined) return NONE;
    if (typeof value === "string") return COLOURS[value] || NONE;
    if (!value || !steps.length) return "#f6f7f9";
    for (var i = 0; i < steps.length; i++) if (value <= steps[i]) return RAMP[i];
    return RAMP[RAMP.length - 1];
  }

  function swatch(colour, text) {
    var item = document.createElement("li"), mark = document.createElement("i");
    mark.style.background = colour;
    item.appendChild(mark);
    item.appendChild(document.createTextNode(text));
    legend.appendChild(item);
  }

  function restyle() {
    var layer = select.value;
    var values = Object.keys(areas).map(function (code) { return valueOf(areas[code], layer); });
    var steps = layer.indexOf("colour:") === 0 ? [] : breaks(values);
    if (areaLayer) {
      areaLayer.eachLayer(function (shape) {
        var properties = shape.feature.properties;
        shape.setStyle({ fillColor: fill(valueOf(areas[properties.code], layer), steps) });
        var value = valueOf(areas[properties.code], layer);
        var shown = typeof value === "string" ? (labels.colours[value] || value) : (value === null ? labels.none : value);
        shape.setTooltipContent(properties.name + " · " + shown);
      });
    }
    legend.textContent = "";
    if (layer.indexOf("colour:") === 0) {
      Object.keys(COLOURS).forEach(function (colour) { swatch(COLOURS[colour], labels.colours[colour]); });
      swatch(NONE, labels.none);
    } else {
      swatch("#f6f7f9", "0");
      var low = 1;
      steps.forEach(function (step, index) {
        if (step >= low) swatch(RAMP[index], low === step ? String(step) : low + "–" + step);
        low = step + 1;
      });
    }
    var query = new URLSearchParams(window.location.search);
    query.set("layer", layer);
    window.history.replaceState(null, "", "?" + query.toString());
  }

  function drillTo(code) {
    var query = new URLSearchParams({ node: code, layer: select.value });
    window.location.assign(config.page + "?" + query.toString());
  }

  function drawAreas(collection) {
    function at(level) {
      return { type: "FeatureCollection",
               features: collection.features.filter(function (f) { return f.properties.level === level; }) };
    }
    var children = at(1), inner = at(2), many = children.features.length > 60;
    L.geoJSON(at(0), { interactive: false, style: { color: "#3b4350", weight: 2.5, fill: !children.features.length,
                                                     fillColor: NONE, fillOpacity: 0.5 } }).addTo(map);
    areaLayer = L.geoJSON(children, {
      className: "map-area",
      style: { color: "#ffffff", weight: 1.5, fillOpacity: 0.85, fillColor: NONE },
      onEachFeature: function (feature, shape) {
        var properties = feature.properties;
        shape.bindTooltip(properties.name, { sticky: many, permanent: !many, direction: "center",
                                              className: "map-label" });
        shape.on("add", function () { shape.getElement().setAttribute("data-code", properties.code); });
        shape.on("click", function (event) {
          if (editor) addCorner(event.latlng);
          else if (choosing) startRedraw(shape);
          else drillTo(properties.code);
        });
        shape.on("mouseover", function () { shape.setStyle({ weight: 3, color: "#1d2430" }); });
        shape.on("mouseout", function () { shape.setStyle({ weight: 1.5, color: "#ffffff" }); });
      }
    }).addTo(map);
    L.geoJSON(inner, { interactive: false, className: "map-inner",
                       style: { color: "#ffffff", weight: 0.8, opacity: 0.9, fill: false } }).addTo(map);
    if (collection.bbox) {
      map.fitBounds([[collection.bbox[1], collection.bbox[0]], [collection.bbox[3], collection.bbox[2]]]);
    } else {
      map.setView([28.1, 119.6], 12);
    }
    box.dataset.areas = String(children.features.length);
    box.dataset.inner = String(inner.features.length);
    return children.features.length;
  }

  function drawReports() {
    reportLayer.clearLayers();
    if (!markersBox.checked || !layers) return;
    layers.reports.forEach(function (report) {
      var marker = L.circleMarker([report.lat, report.lon], {
        radius: 6, weight: 1.5, color: "#ffffff", fillOpacity: 1, fillColor: report.overdue ? "#8e1b12" : "#e65100"
      });
      var link = document.createElement("a");
      link.href = config.report.replace("/0/", "/" + report.id + "/");
      link.textContent = labels.report + " · " + report.category + (report.overdue ? " · " + labels.overdue : "");
      marker.bindPopup(link);
      reportLayer.addLayer(marker);
    });
  }

  function drawClaims() {
    claimLayer.clearLayers();
    if (!claimsBox || !claimsBox.checked || !layers || !layers.claims) return;
    layers.claims.forEach(function (claim) {
      var marker = L.circleMarker([claim.lat, claim.lon], {
        radius: 5, weight: 1.5, color: "#ffffff", fillOpacity: 1, fillColor: claim.overdue ? "#4a148c" : "#1565c0",
        className: "map-claim"
      });
      var link = document.createElement("a");
      link.href = config.claim.replace("/0/", "/" + claim.id + "/");
      link.textContent = labels.task + " · " + claim.title + " · " + claim.state_label
        + (claim.overdue ? " · " + labels.overdue : "");
      marker.bindPopup(link);
      claimLayer.addLayer(marker);
    });
  }

  // ---------------------------------------------------------------- redrawing one boundary
  var form = document.getElementById("map-redraw");
  var DRAFT = "gridgov-redraw:";

  function outerRing(geometry) {
    /* The corners of the outer ring of the (largest) polygon, without the closing repeat, as LatLngs. */
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    function size(polygon) {
      var ring = polygon[0], sum = 0;
      for (var i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
      return Math.abs(sum);
    }
    var best = polygons.reduce(function (a, b) { return size(b) > size(a) ? b : a; });
    return best[0].slice(0, -1).map(function (p) { return L.latLng(p[1], p[0]); });
  }

  function help(text) { document.getElementById("map-redraw-help").textContent = text; }

  function redrawCorners() {
    editor.layer.clearLayers();
    L.polygon(editor.corners, { interactive: false, color: "#8e1b12", weight: 2.5, dashArray: "6 4",
                                fillColor: "#f0705f", fillOpacity: 0.25 }).addTo(editor.layer);
    editor.corners.forEach(function (corner, index) {
      var marker = L.marker(corner, { draggable: true, keyboard: false, title: String(index + 1),
                                      icon: L.divIcon({ className: "map-vertex", iconSize: [22, 22] }) });
      marker.on("drag", function () {
        editor.corners[index] = marker.getLatLng();
        editor.layer.eachLayer(function (layer) { if (layer instanceof L.Polygon) layer.setLatLngs(editor.corners); });
      });
      marker.on("dragend", redrawCorners);
      marker.on("click", function () {
        if (editor.corners.length <= 3) { help(labels.too_few); return; }
        editor.corners.splice(index, 1);
        redrawCorners();
      });
      marker.addTo(editor.layer);
    });
    box.dataset.corners = String(editor.corners.length);
  }

  function addCorner(latlng) {
    var corners = editor.corners;
    if (corners.length < 3) { corners.push(latlng); redrawCorners(); return; }
    var point = map.latLngToLayerPoint(latlng), best = 0, nearest = Infinity;
    for (var i = 0; i < corners.length; i++) {
      var distance = L.LineUtil.pointToSegmentDistance(point, map.latLngToLayerPoint(corners[i]),
                                                       map.latLngToLayerPoint(corners[(i + 1) % corners.length]));
      if (distance < nearest) { nearest = distance; best = i; }
    }
    corners.splice(best + 1, 0, latlng);
    redrawCorners();
  }

  function startRedraw(shape, corners) {
    var properties = shape.feature.properties;
    choosing = false;
    editor = { code: properties.code, name: properties.name, layer: L.layerGroup().addTo(map),
               corners: corners || outerRing(shape.feature.geometry) };
    form.hidden = false;
    form.elements.node.value = properties.code;
    box.dataset.redrawing = properties.code;
    help(labels.editing.replace("%(name)s", properties.name));
    redrawCorners();
  }

  function stopRedraw() {
    if (editor) map.removeLayer(editor.layer);
    editor = null;
    choosing = false;
    form.hidden = true;
    delete box.dataset.redrawing;
  }

  function shapeOf(code) {
    var found = null;
    if (areaLayer) areaLayer.eachLayer(function (shape) { if (shape.feature.properties.code === code) found = shape; });
    return found;
  }

  if (form) {
    document.getElementById("map-redraw-start").addEventListener("click", function () {
      stopRedraw();
      choosing = true;
      form.hidden = false;
      help(labels.choose);
    });
    document.getElementById("map-redraw-cancel").addEventListener("click", function () {
      if (editor) sessionStorage.removeItem(DRAFT + editor.code);
      stopRedraw();
    });
    document.getElementById("map-redraw-clear").addEventListener("click", function () {
      if (!editor) return;
      editor.corners = [];
      help(labels.fresh.replace("%(name)s", editor.name));
      redrawCorners();
    });
    map.on("click", function (event) { if (editor) addCorner(event.latlng); });
    form.addEventListener("submit", function (event) {
      if (!editor || editor.corners.length < 3) { event.preventDefault(); help(editor ? labels.too_few : labels.choose); return; }
      var ring = editor.corners.map(function (corner) {
        return [Math.round(corner.lng * 1e7) / 1e7, Math.round(corner.lat * 1e7) / 1e7];
      });
      ring.push(ring[0]);
      form.elements.geometry.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      // Kept until the map comes back: a refused drawing reopens as it was (?redraw=CODE).
      sessionStorage.setItem(DRAFT + editor.code, JSON.stringify(ring));
    });
  }

  function resumeRedraw() {
    /* Back from a refused save: reopen the drawing; back from a saved one: forget the drafts. */
    if (!form) return;
    var code = new URLSearchParams(window.location.search).get("redraw");
    var draft = code && sessionStorage.getItem(DRAFT + code);
    var shape = code && shapeOf(code);
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf(DRAFT) === 0 && key !== DRAFT + code) sessionStorage.removeItem(key);
    });
    if (!shape) return;
    var corners = draft ? JSON.parse(draft).slice(0, -1).map(function (p) { return L.latLng(p[1], p[0]); }) : null;
    startRedraw(shape, corners);
  }

  function listAreas() {
    list.textContent = "";
    (layers ? layers.areas : []).forEach(function (area) {
      var item = document.createElement("li"), link = document.createElement("a"), name = document.createElement("span"),
          figure = document.createElement("span");
      link.href = config.page + "?" + new URLSearchParams({ node: area.code, layer: select.value }).toString();
      name.textContent = area.name;
      figure.className = "muted";
      figure.textContent = labels.open + " " + area.reports_open + " · " + labels.overdue + " " + area.reports_overdue;
      link.appendChild(name);
      link.appendChild(figure);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  var wanted = new URLSearchParams(window.location.search).get("layer");
  getJSON(config.data + "?" + new URLSearchParams({ node: config.node }).toString())
    .then(function (data) {
      var results = [data.boundaries];
      layers = data.layers;
      layers.schemes.forEach(function (scheme) {
        var option = document.createElement("option");
        option.value = "colour:" + scheme.code;
        option.textContent = labels.colour.replace("%(name)s", scheme.name + " " + scheme.period);
        select.insertBefore(option, select.firstChild);
      });
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
      else select.selectedIndex = 0;
      layers.areas.forEach(function (area) { areas[area.code] = area; });
      var drawn = drawAreas(results[0]);
      restyle();
      drawReports();
      drawClaims();
      listAreas();
      resumeRedraw();
      status.textContent = results[0].features.length ? labels.loaded.replace("%(areas)d", drawn)
        .replace("%(reports)d", layers.reports.length).replace("%(claims)d", (layers.claims || []).length)
        : labels.no_boundaries;
      box.dataset.ready = "1";
    })
    .catch(function () { status.textContent = labels.failed; box.dataset.ready = "failed"; });
  select.addEventListener("change", function () { restyle(); listAreas(); });
  markersBox.addEventListener("change", drawReports);
  if (claimsBox) claimsBox.addEventListener("change", drawClaims);
})();
