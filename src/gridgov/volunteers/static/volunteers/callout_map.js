/* A call-out's map: the area's boundaries on a plain background (or the installation's own tile server), the
   assembly point, and for the area's cadres a dot per person coming (where they shared their location when
   answering, else their registered location, else the centre of their grid). The first drawing comes with
   the page; the dots are refreshed every few seconds while the call-out is under way. Nothing from the
   internet. */
(function () {
  "use strict";
  var dataNode = document.getElementById("callout-map-data");
  var box = document.getElementById("callout-map");
  if (!dataNode || !box || !window.L) return;
  var data = JSON.parse(dataNode.textContent);
  var config = JSON.parse(document.getElementById("callout-map-config").textContent);
  var labels = JSON.parse(document.getElementById("callout-map-labels").textContent);
  var empty = document.getElementById("callout-map-empty");
  var status = document.getElementById("callout-map-status");
  var COLOURS = { shared: "#2e7d32", registered: "#1565c0", grid: "#8d6e3f" };
  var map = null, people = null, fitted = false, hasAreas = Boolean(data.boundaries && data.boundaries.features.length);

  function start() {
    var legend = document.getElementById("callout-map-legend");
    box.hidden = false;
    if (empty) empty.hidden = true;
    if (legend) legend.hidden = false;
    map = L.map(box, { zoomSnap: 0.25, attributionControl: Boolean(config.tiles), zoomControl: false });
    L.control.zoom({ zoomInTitle: labels.zoom_in, zoomOutTitle: labels.zoom_out }).addTo(map);
    if (config.tiles) L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.tiles_attribution || "" }).addTo(map);
    if (hasAreas) {
      L.geoJSON(data.boundaries, {
        interactive: false, className: "callout-area",
        style: function (feature) {
          var outer = feature.properties.level === 0;
          return { color: outer ? "#3b4350" : "#ffffff", weight: outer ? 2.5 : 1.2, fillColor: "#dfe3e8",
                   fillOpacity: outer ? 0.35 : 0.5 };
        }
      }).addTo(map);
    }
    if (data.assembly) {
      L.marker([data.assembly.lat, data.assembly.lon], {
        title: labels.assembly, keyboard: false,
        icon: L.divIcon({ className: "callout-assembly", iconSize: [18, 18] })
      }).bindTooltip(labels.assembly + " · " + data.assembly.name).addTo(map);
    }
    people = L.layerGroup().addTo(map);
  }

  function fit() {
    var corners = [];
    if (data.assembly) corners.push([data.assembly.lat, data.assembly.lon]);
    data.people.forEach(function (each) { corners.push([each.lat, each.lon]); });
    var bounds = corners.length ? L.latLngBounds(corners) : null;
    if (hasAreas && data.boundaries.bbox) {
      var b = data.boundaries.bbox, area = L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]);
      bounds = bounds ? bounds.extend(area) : area;
    }
    if (!bounds) return;
    if (corners.length === 1 && !hasAreas) map.setView(corners[0], 16);
    else map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    fitted = true;
  }

  function draw() {
    if (!data.drawable && !hasAreas) return;
    if (!map) start();
    people.clearLayers();
    data.people.forEach(function (each) {
      var dot = L.circleMarker([each.lat, each.lon], {
        radius: 6, weight: 1.5, color: "#ffffff", fillOpacity: 0.95, fillColor: COLOURS[each.source] || "#616161",
        className: "callout-person"
      });
      dot.bindTooltip(each.name + " · " + (labels[each.source] || ""));
      people.addLayer(dot);
    });
    if (!fitted) fit();
    box.dataset.people = String(data.people.length);
    box.dataset.ready = "1";
  }

  function refresh() {
    fetch(config.data, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (fresh) {
        fresh.boundaries = data.boundaries;
        data = fresh;
        draw();
        if (status) status.textContent = labels.drawn.replace("%(count)s", String(data.people.length));
        if (data.closed) window.clearInterval(timer);
      })
      .catch(function () { if (status) status.textContent = labels.failed; });
  }

  draw();
  if (!data.drawable && !hasAreas) box.dataset.ready = "empty";
  var timer = data.closed ? null : window.setInterval(refresh, config.every || 5000);
})();
