// Map layers: the offline basemap (Natural Earth 110m / 50m outlines), place labels from the shipped
// gazetteer that get denser as the map zooms in, and how an event's place precision is drawn.
"use strict";

(function (WW) {
  const el = WW.el;
  const DETAIL_ZOOM = 4; // from this zoom on the 50m outlines replace the 110m ones
  const MAX_LABELS = 260;

  // How a location's precision (`resolution`) is drawn: exact places are small filled dots; admin2,
  // admin1 and country locations (a centroid, not a place) are large pale rings ("areas") of growing size.
  WW.RESOLUTION_STYLE = {
    "sub-city": { kind: "point", label: "city / town / quarter: exact place" },
    city: { kind: "point", label: "city / town / quarter: exact place" },
    admin2: { kind: "area", radius: 11, label: "district (admin2): somewhere in it" },
    admin1: { kind: "area", radius: 17, label: "province / region (admin1): somewhere in it" },
    country: { kind: "area", radius: 26, label: "country: somewhere in it (centroid, not a place)" },
  };

  WW.resolutionKind = function (resolution) {
    const st = WW.RESOLUTION_STYLE[resolution];
    return st ? st : WW.RESOLUTION_STYLE.city;
  };

  // Country outlines: 110m for the world view, 50m (fetched once, on the first zoom-in) closer up.
  WW.Basemap = class {
    constructor(map) {
      this.map = map;
      this.layers = {};
      this.style = { color: "#8a94a6", weight: 0.7, fillColor: "#eef0f3", fillOpacity: 1 };
      map.createPane("basemap").style.zIndex = 250;
      this.renderer = L.canvas({ pane: "basemap", padding: 0.2 }); // one canvas, not thousands of SVG paths
      map.on("zoomend", () => this.update());
      this.load("110m").then(() => this.update());
    }

    load(scale) {
      if (!this.layers[scale]) {
        this.layers[scale] = WW.getJSON("/static/vendor/world/countries-" + scale + ".geojson")
          .then((world) => L.geoJSON(world, {
            interactive: false, pane: "basemap", renderer: this.renderer, style: this.style,
          }))
          .catch(() => null);
      }
      return this.layers[scale];
    }

    async update() {
      const want = this.map.getZoom() >= DETAIL_ZOOM ? "50m" : "110m";
      const layer = await this.load(want);
      if (!layer) return;
      const now = this.map.getZoom() >= DETAIL_ZOOM ? "50m" : "110m";
      if (now !== want) return; // zoomed again while loading
      for (const [scale, promise] of Object.entries(this.layers)) {
        const other = await promise;
        if (other && scale !== want && this.map.hasLayer(other)) this.map.removeLayer(other);
      }
      if (!this.map.hasLayer(layer)) layer.addTo(this.map);
      this.map.getContainer().dataset.basemap = want;
    }
  };

  // Smallest city population labelled at each zoom (capitals from zoom 3 on).
  function cityFloor(z) {
    if (z < 3) return 6e6;
    if (z < 4) return 2e6;
    if (z < 5) return 7e5;
    if (z < 6) return 2.5e5;
    if (z < 7) return 1e5;
    if (z < 8) return 5e4;
    return 0;
  }

  // Place labels (countries, admin1 divisions, cities) drawn as DOM text in their own pane, placed
  // biggest first and skipped where they would overlap one already placed.
  WW.LabelLayer = L.Layer.extend({
    initialize: function (data) {
      this.data = data;
    },

    onAdd: function (map) {
      this.box = el("div", { class: "map-labels leaflet-zoom-hide" });
      map.getPane("labels").appendChild(this.box);
      map.on("moveend zoomend resize", this.redraw, this);
      this.redraw();
    },

    onRemove: function (map) {
      map.off("moveend zoomend resize", this.redraw, this);
      this.box.remove();
    },

    candidates: function (z) {
      const d = this.data;
      const out = [];
      const countryFloor = z < 2 ? 3e7 : z < 3 ? 2e6 : 0;
      for (const c of d.countries) {
        if (c[3] >= countryFloor && z < 9) out.push({ kind: "country", name: c[0], lat: c[1], lon: c[2] });
      }
      const floor = cityFloor(z);
      for (const c of d.cities) {
        if (c[3] >= floor || (c[5] && z >= 3)) {
          out.push({ kind: c[5] ? "capital" : "city", name: c[0], lat: c[1], lon: c[2], pop: c[3] });
        }
      }
      if (z >= 4) {
        for (const a of d.admin1) out.push({ kind: "admin1", name: a[0], lat: a[1], lon: a[2] });
      }
      const rank = { country: 0, capital: 1, city: 2, admin1: 3 };
      if (z >= 5) rank.country = 3; // close in, cities matter more than the country's name
      out.sort((a, b) => rank[a.kind] - rank[b.kind] || (b.pop || 0) - (a.pop || 0));
      return out;
    },

    redraw: function () {
      const map = this._map;
      if (!map) return;
      WW.clear(this.box);
      const z = map.getZoom();
      const size = map.getSize();
      const centerLng = map.getCenter().lng;
      const placed = [];
      const font = { country: 12, capital: 11.5, city: 11, admin1: 10.5 };
      let n = 0;
      for (const c of this.candidates(z)) {
        if (n >= MAX_LABELS) break;
        const lon = c.lon + 360 * Math.round((centerLng - c.lon) / 360);
        const pt = map.latLngToContainerPoint([c.lat, lon]);
        if (pt.x < -50 || pt.y < -20 || pt.x > size.x + 50 || pt.y > size.y + 20) continue;
        const name = c.kind === "country" ? c.name.toUpperCase() : c.name;
        const w = name.length * font[c.kind] * (c.kind === "country" ? 0.68 : 0.58) + 8;
        const h = font[c.kind] + 4;
        const dot = c.kind === "city" || c.kind === "capital";
        const box = dot ? [pt.x - 3, pt.y - h / 2, pt.x + w, pt.y + h / 2]
          : [pt.x - w / 2, pt.y - h / 2, pt.x + w / 2, pt.y + h / 2];
        if (placed.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
        placed.push(box);
        const layerPt = map.latLngToLayerPoint([c.lat, lon]);
        const label = el("div", { class: "map-label map-label-" + c.kind, "data-kind": c.kind }, name);
        label.style.left = layerPt.x + "px";
        label.style.top = layerPt.y + "px";
        this.box.appendChild(label);
        n++;
      }
      this.box.dataset.count = String(n);
      map.getContainer().dataset.labels = String(n);
    },
  });

  // Load the labels and add them to the map (resolves to the layer, or null when the file is missing).
  WW.addLabels = function (map) {
    map.createPane("labels").style.zIndex = 350;
    return WW.getJSON("/static/vendor/labels/labels.json")
      .then((data) => new WW.LabelLayer(data).addTo(map))
      .catch(() => null);
  };
})(window.WW);
