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
  var areaLayer = null, reportLayer = L.layerGroup().addTo(map);
  var areas = {}, layers = null;

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
        shape.on("click", function () { drillTo(properties.code); });
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
      listAreas();
      status.textContent = results[0].features.length ? labels.loaded.replace("%(areas)d", drawn)
        .replace("%(reports)d", layers.reports.length) : labels.no_boundaries;
      box.dataset.ready = "1";
    })
    .catch(function () { status.textContent = labels.failed; box.dataset.ready = "failed"; });
  select.addEventListener("change", function () { restyle(); listAreas(); });
  markersBox.addEventListener("change", drawReports);
})();
